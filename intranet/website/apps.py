from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntranetWebsiteConfig(AppConfig):
    name = "intranet.website"
    label = "intranet_website"
    verbose_name = _("Internal website")
    default_auto_field = "django.db.models.BigAutoField"
