"""催办: reminders before a deadline and escalation after it (run by Celery beat, idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from common.audit.services import record
from intranet.oa.models import DocumentEvent, Task

REMIND_DAYS_BEFORE = 1


def _leaders():
    return get_user_model().objects.filter(is_active=True, groups__permissions__codename="sign_document",
                                           groups__permissions__content_type__app_label="oa").distinct()


def run(today=None) -> dict:
    """Remind the holders of tasks due within a day; escalate overdue tasks to the bureau leaders."""
    today = today or timezone.localdate()
    reminded = escalated = 0
    due_soon = Task.objects.filter(done_at__isnull=True, due__isnull=False, reminded_at__isnull=True,
                                   due__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
    for task in due_soon.select_related("document"):
        with transaction.atomic():
            if Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()) != 1:
                continue  # another run took it
            DocumentEvent.objects.create(document=task.document, transition="remind", from_state=task.document.state,
                                         to_state=task.document.state, data={"task": task.pk, "due": str(task.due)})
            record("oa.remind", task.document, detail={"task": task.pk, "due": str(task.due)}, actor_name="oa")
            reminded += 1
    overdue = Task.objects.filter(done_at__isnull=True, due__lt=today, escalated_at__isnull=True, step="handling")
    for task in overdue.select_related("document"):
        with transaction.atomic():
            if Task.objects.filter(pk=task.pk, escalated_at__isnull=True).update(escalated_at=timezone.now()) != 1:
                continue
            # Escalation: the overdue work appears in every bureau leader's inbox as well.
            for leader in _leaders():
                Task.objects.create(document=task.document, step="handling", user=leader, due=task.due,
                                    escalated_at=timezone.now())
            DocumentEvent.objects.create(document=task.document, transition="escalate",
                                         from_state=task.document.state, to_state=task.document.state,
                                         data={"task": task.pk, "due": str(task.due)})
            record("oa.escalate", task.document, detail={"task": task.pk, "due": str(task.due)}, actor_name="oa")
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}
