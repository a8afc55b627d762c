from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreFinanceConfig(AppConfig):
    name = "core_finance"
    label = "core_finance"
    verbose_name = _("Finance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The disclosure message type is defined here because only the intranet sends it.
        import exchange.messages  # noqa: F401  (the shared schemas, incl. portal.dataset.publish)
        from core_finance import signals  # noqa: F401

        signals.connect()
