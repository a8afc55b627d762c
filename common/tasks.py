from celery import shared_task


@shared_task(name="common.ping", time_limit=30)
def ping(value: str) -> dict:
    """Round-trip check used by operators and the test suite to prove the worker runs."""
    from django.conf import settings

    return {"pong": value, "side": settings.JINCAI_SIDE}
