from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceRevenueConfig(AppConfig):
    name = "core_finance.revenue"
    label = "finance_revenue"
    verbose_name = _("Revenue and decision support")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Reference data is also edited through the generic admin screens: audit those saves too.
        from django.db.models.signals import post_delete, post_save

        from core_finance.signals import _deleted, _saved

        for model in (self.get_model('RevenueCode'), self.get_model('RevenueBudget'),):
            post_save.connect(_saved, sender=model, dispatch_uid=f"{self.label}-audit-save-{model.__name__}")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{self.label}-audit-delete-{model.__name__}")
