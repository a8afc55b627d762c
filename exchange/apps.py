from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    label = "exchange"
    verbose_name = _("Document exchange")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import exchange.messages  # noqa: F401  (registers the shared message types)
        from exchange import conf

        for module in conf.handler_modules():
            import_module(module)
