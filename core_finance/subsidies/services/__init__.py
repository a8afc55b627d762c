"""Subsidy services: batches, bank files, publication. Views call only these."""
