"""The Celery app factory: one app per deployment, configured from its Django settings."""

import os

from celery import Celery


def make_celery(side: str) -> Celery:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{side}.settings")
    app = Celery(side)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    return app
