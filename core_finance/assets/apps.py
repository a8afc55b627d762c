from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceAssetsConfig(AppConfig):
    name = "core_finance.assets"
    label = "finance_assets"
    verbose_name = _("State assets")
    default_auto_field = "django.db.models.BigAutoField"
