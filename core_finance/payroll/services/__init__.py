"""Payroll services: personnel changes, monthly runs, files. Views call only these."""
