from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationDeskConfig(AppConfig):
    name = "intranet.consultation"
    label = "consultation_desk"
    verbose_name = _("Public consultation desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from intranet.consultation import handlers

        handlers.register()
