from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "intranet.publishing"
    label = "publishing"
    verbose_name = _("Publishing desk")
    default_auto_field = "django.db.models.BigAutoField"
