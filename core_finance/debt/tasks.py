"""Periodic work of the debt module (Celery beat entry ``finance-debt-alerts``)."""

from celery import shared_task


@shared_task(name="finance_debt.due_alerts", time_limit=300, soft_time_limit=270, ignore_result=True)
def due_alerts_task() -> int:
    from core_finance.debt.services import raise_due_alerts, release_failed

    release_failed()
    return raise_due_alerts()
