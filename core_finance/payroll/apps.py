from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancePayrollConfig(AppConfig):
    name = "core_finance.payroll"
    label = "finance_payroll"
    verbose_name = _("Unified payroll")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # 乡财乡用县监管: every payroll record belongs to an agency, and so to its fiscal division.
        # Pay items are installation-wide reference data, like the code tables.
        from core_finance.services import scope

        scope.register_paths(self.label, {
            "staff": "agency__", "staffamount": "staff__agency__", "personnelchange": "agency__",
            "payrollrun": "agency__", "runpayment": "run__agency__", "payslip": "run__agency__",
            "payline": "slip__run__agency__"})
