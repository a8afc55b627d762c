"""Periodic work of the official document system (Celery beat: ``oa-reminders``)."""

from celery import shared_task


@shared_task(name="oa.remind", time_limit=300, soft_time_limit=270, ignore_result=True)
def remind_task() -> dict:
    from intranet.oa.services import reminders

    return reminders.run()
