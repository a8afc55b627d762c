from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancePayrollConfig(AppConfig):
    name = "core_finance.payroll"
    label = "finance_payroll"
    verbose_name = _("Unified payroll")
    default_auto_field = "django.db.models.BigAutoField"
