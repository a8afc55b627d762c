from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConsultationConfig(AppConfig):
    name = "extranet.consultation"
    label = "public_consultation"
    verbose_name = _("Public consultation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from extranet.consultation import handlers

        handlers.register()
