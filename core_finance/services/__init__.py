"""Business services of the finance core. Views and commands call these, never the models directly."""
