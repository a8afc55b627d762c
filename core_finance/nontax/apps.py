from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceNontaxConfig(AppConfig):
    name = "core_finance.nontax"
    label = "finance_nontax"
    verbose_name = _("Non-tax revenue")
    default_auto_field = "django.db.models.BigAutoField"
