from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierPortalConfig(AppConfig):
    name = "extranet.procurement"
    label = "supplier_portal"
    verbose_name = _("Government procurement (suppliers)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import exchange.messages  # noqa: F401  (defines the message types before handlers are attached)
        from extranet.procurement.services import inbound

        inbound.register_handlers()
