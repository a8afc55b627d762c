"""Helpers for the finance tests."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back():
    """Run one hypothesis example in a transaction that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refresh(obj):
    obj.refresh_from_db()
    return obj
