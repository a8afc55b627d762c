from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BEAT_ENTRY = "finance-debt-alerts"


class FinanceDebtConfig(AppConfig):
    name = "core_finance.debt"
    label = "finance_debt"
    verbose_name = _("Government debt")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The due-date alerts run from beat a few times a day; registered here so that the
        # deployment's settings module stays untouched. Alerts are idempotent, so extra runs are harmless.
        from django.conf import settings

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict) and BEAT_ENTRY not in schedule:
            schedule[BEAT_ENTRY] = {"task": "finance_debt.due_alerts", "schedule": 6 * 3600.0,
                                    "options": {"expires": 3 * 3600}}
