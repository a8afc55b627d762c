"""The personal inbox: 待办 (waiting for me), 已办 (I acted on), 我发起的 (I started)."""

from __future__ import annotations

from django.db.models import Max

from intranet.oa.models import Document, DocumentEvent
from intranet.oa.permissions import open_tasks, visible_documents

SYSTEM_ACTIONS = ("arrive",)


def todo(user):
    """Open tasks for the user (and for anyone who delegated to them), one row per task."""
    return open_tasks(user).select_related("document", "department", "user").order_by("due", "created_at")


def done(user):
    """Documents the user acted on, most recent first."""
    last = (DocumentEvent.objects.filter(actor=user).exclude(transition__in=SYSTEM_ACTIONS)
            .values("document_id").annotate(last=Max("at")))
    ids = {row["document_id"]: row["last"] for row in last}
    docs = list(visible_documents(user).filter(pk__in=ids))
    docs.sort(key=lambda d: ids[d.pk], reverse=True)
    return docs


def started(user):
    return Document.objects.filter(created_by=user).order_by("-created_at")


def counts(user) -> dict:
    return {"todo": todo(user).values("document_id").distinct().count(),
            "done": len(ids_done(user)), "started": started(user).count()}


def ids_done(user) -> set[int]:
    return set(DocumentEvent.objects.filter(actor=user).exclude(transition__in=SYSTEM_ACTIONS)
               .values_list("document_id", flat=True))
