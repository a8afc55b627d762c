"""The finance core: code tables, budgets, indicators, payments, clearing, ledger, reports.

Used by the intranet only (an import-linter contract keeps every other package away from it).
"""
