"""Helpers shared by the finance models."""

from __future__ import annotations

from django.db import models

from core_finance.errors import refuse


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk edits and deletes would bypass the per-row guards, so they are refused outright."""

    def update(self, **kwargs):
        raise refuse("posted_immutable")

    def delete(self):
        raise refuse("posted_immutable")

    def _raw_delete(self, using):  # used by cascades
        raise refuse("posted_immutable")


class NumberSequence(models.Model):
    """Gap-free document numbers per key (e.g. ZF2026); the row lock serializes issuers of one key."""

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "number sequence"

    def __str__(self):
        return f"{self.key}:{self.last}"
