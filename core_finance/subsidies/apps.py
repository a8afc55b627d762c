from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceSubsidiesConfig(AppConfig):
    name = "core_finance.subsidies"
    label = "finance_subsidies"
    verbose_name = _("Farmer subsidies")
    default_auto_field = "django.db.models.BigAutoField"
