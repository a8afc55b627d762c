from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceSpecialAccountsConfig(AppConfig):
    name = "core_finance.special_accounts"
    label = "finance_special_accounts"
    verbose_name = _("Special fiscal accounts")
    default_auto_field = "django.db.models.BigAutoField"
