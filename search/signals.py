"""Signals that queue index updates (after the surrounding transaction commits)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

log = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Queue ``task`` once the current transaction commits; if the broker cannot take it, run it
    here rather than leave the index stale."""

    def send():
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001  (any broker failure)
            log.warning("search: broker unavailable, running %s%r inline", task.name, args, exc_info=True)
            task.apply(args=args)

    transaction.on_commit(send)


def _page_changed(sender, instance, **kwargs):
    from search import tasks

    enqueue(tasks.sync_page, instance.pk)


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    from search import sources, tasks

    if isinstance(instance, Page):
        enqueue(tasks.remove, sources.page_key(instance.pk))


def _record_saved(sender, instance, created, raw=False, **kwargs):
    from search import sources, tasks

    if created and not raw and instance.message_type in (sources.POLICY_PUBLISH, sources.WITHDRAW):
        enqueue(tasks.sync_record, instance.pk)


def _words_deleted(sender, instance, using, **kwargs):
    # Entries are deleted with their words (CASCADE); the postings and word counts follow here.
    from search.services import dbsearch

    dbsearch.forget(instance, using)


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished

    from exchange.models import ReceivedRecord
    from search.models import EntryText

    page_published.connect(_page_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(_page_changed, dispatch_uid="search-page-unpublished")
    post_delete.connect(_page_deleted, dispatch_uid="search-page-deleted")
    post_save.connect(_record_saved, sender=ReceivedRecord, dispatch_uid="search-record-saved")
    pre_delete.connect(_words_deleted, sender=EntryText, dispatch_uid="search-words-deleted")

