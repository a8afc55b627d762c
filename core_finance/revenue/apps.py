from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceRevenueConfig(AppConfig):
    name = "core_finance.revenue"
    label = "finance_revenue"
    verbose_name = _("Revenue and decision support")
    default_auto_field = "django.db.models.BigAutoField"
