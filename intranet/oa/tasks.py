"""Periodic work of the official document system (Celery beat: ``oa-reminders``)."""

from celery import shared_task


@shared_task(name="oa.remind", time_limit=300, soft_time_limit=270, ignore_result=True)
def remind_task() -> dict:
    from intranet.oa.services import reminders

    return reminders.run()


@shared_task(name="oa.search_sync", time_limit=120, soft_time_limit=110, acks_late=True, ignore_result=True)
def search_sync(document_id: int) -> str | None:
    """Idempotent: re-reads the document and makes its search entry (text and grants) match it."""
    from intranet.oa.services import indexing

    return indexing.sync_document(document_id)
