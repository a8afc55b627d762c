from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceAssetsConfig(AppConfig):
    name = "core_finance.assets"
    label = "finance_assets"
    verbose_name = _("State assets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # 乡财乡用县监管: an asset card belongs to its holding agency's division; a transfer or disposal
        # request to the division of the agency that asks for it. Categories are shared reference data.
        from core_finance.services import scope

        scope.register_paths(self.label, {"assetcard": "agency__", "assetchange": "from_agency__"})
        # Reference data is also edited through the generic admin screens: audit those saves too.
        from django.db.models.signals import post_delete, post_save

        from core_finance.signals import _deleted, _saved

        for model in (self.get_model('AssetCategory'),):
            post_save.connect(_saved, sender=model, dispatch_uid=f"{self.label}-audit-save-{model.__name__}")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"{self.label}-audit-delete-{model.__name__}")
