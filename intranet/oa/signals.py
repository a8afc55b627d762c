"""Keeping the search entries of documents fresh: every change of a document, and every recorded
action on it (each transition, edit, attachment, reading, reminder), queues its re-indexing."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def _document_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from intranet.oa.services import indexing

    indexing.schedule(instance.pk)


def _event_recorded(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from intranet.oa.services import indexing

        indexing.schedule(instance.document_id)


def connect() -> None:
    from intranet.oa.models import Document, DocumentEvent

    post_save.connect(_document_changed, sender=Document, dispatch_uid="oa-search-document-saved")
    post_delete.connect(_document_changed, sender=Document, dispatch_uid="oa-search-document-deleted")
    post_save.connect(_event_recorded, sender=DocumentEvent, dispatch_uid="oa-search-event-recorded")
