from celery import shared_task

from extranet.procurement.services import bids


@shared_task(name="supplier_portal.close_due_tenders", time_limit=300, soft_time_limit=280)
def close_due_tenders() -> list[str]:
    """Idempotent: a tender is closed (its bid list sent) once, after its deadline."""
    bids.purge_stale_staging()
    bids.forward_pending()  # bids whose process died between accepting and queuing them
    return bids.close_due_tenders()
