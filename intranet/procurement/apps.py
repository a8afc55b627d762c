from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "intranet.procurement"
    label = "procurement"
    verbose_name = _("Government procurement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import exchange.messages  # noqa: F401  (defines the message types before handlers are attached)
        from intranet.procurement.services import inbound

        inbound.register_handlers()
