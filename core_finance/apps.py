from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreFinanceConfig(AppConfig):
    name = "core_finance"
    label = "core_finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The disclosure message type is defined here because only the intranet sends it.
        from core_finance import message_types, signals  # noqa: F401

        signals.connect()
