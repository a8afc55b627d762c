from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceDivisionsConfig(AppConfig):
    name = "core_finance.divisions"
    label = "finance_divisions"
    verbose_name = _("County supervision and special funds")
    default_auto_field = "django.db.models.BigAutoField"
