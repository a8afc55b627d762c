"""Celery tasks that keep the search index fresh. Each is idempotent: it re-reads its source
and makes the index match it, so a retry or a duplicate delivery does no harm."""

from celery import shared_task

from search import sources
from search.services import indexing


@shared_task(name="search.sync_page", time_limit=120, soft_time_limit=110, acks_late=True)
def sync_page(page_id: int) -> bool:
    return sources.sync_page(page_id)


@shared_task(name="search.sync_record", time_limit=120, soft_time_limit=110, acks_late=True)
def sync_record(record_id: int) -> str | None:
    return sources.sync_record(record_id)


@shared_task(name="search.remove", time_limit=60, soft_time_limit=55, acks_late=True)
def remove(key: str) -> bool:
    return indexing.remove(key)


@shared_task(name="search.rebuild", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60, acks_late=True)
def rebuild() -> dict:
    from search.services.rebuild import rebuild as run

    return run()
