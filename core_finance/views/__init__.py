"""Staff screens of the finance core, served inside the Wagtail admin of the intranet."""
