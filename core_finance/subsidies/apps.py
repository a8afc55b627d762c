from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceSubsidiesConfig(AppConfig):
    name = "core_finance.subsidies"
    label = "finance_subsidies"
    verbose_name = _("Farmer subsidies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # 乡财乡用县监管: a programme belongs to the division of its indicator's agency; a household
        # to the division it lives in (its own field).
        from core_finance.services import scope

        scope.register_paths(self.label, {
            "programme": "indicator__agency__", "batch": "programme__indicator__agency__",
            "batchline": "batch__programme__indicator__agency__", "household": ""})
