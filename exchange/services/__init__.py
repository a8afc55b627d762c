"""Exchange services (business logic; views, commands and tasks are thin wrappers)."""
