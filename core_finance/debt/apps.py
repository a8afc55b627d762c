from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceDebtConfig(AppConfig):
    name = "core_finance.debt"
    label = "finance_debt"
    verbose_name = _("Government debt")
    default_auto_field = "django.db.models.BigAutoField"
