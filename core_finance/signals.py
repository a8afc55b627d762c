"""Audit records for reference data edited through the generic admin screens.

Business documents are audited by their services; code tables, agencies, projects, targets,
mappings and monitoring rules can also be edited in the Wagtail admin, so their saves and
deletes are recorded here, in the same transaction.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from common.audit.services import record, snapshot
from core_finance.models import (
    Agency,
    ClassificationCode,
    EconomicMapping,
    MonitorRule,
    PerformanceTarget,
    Project,
)

AUDITED = (Agency, ClassificationCode, EconomicMapping, MonitorRule, PerformanceTarget, Project)


def _saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        record(f"finance.{sender._meta.model_name}.{'create' if created else 'change'}", instance,
               after=snapshot(instance))


def _deleted(sender, instance, **kwargs):
    record(f"finance.{sender._meta.model_name}.delete", instance, before=snapshot(instance))


def connect() -> None:
    for model in AUDITED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"cf-audit-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"cf-audit-delete-{model.__name__}")
