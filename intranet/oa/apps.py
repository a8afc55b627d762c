from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OaConfig(AppConfig):
    name = "intranet.oa"
    label = "oa"
    verbose_name = _("Official documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import exchange.messages  # noqa: F401  (defines the message types before a handler is attached)
        from exchange import registry
        from intranet.oa.services.province import apply_incoming

        # Documents from the provincial bureau land in the incoming register (收文).
        registry.register("oa.official_document", 1, apply=apply_incoming)

        # Documents in the intranet search, found only by those who may open them.
        from intranet.oa import signals
        from intranet.oa.services import indexing
        from search import sources

        sources.register(indexing.SOURCE, sync_all=indexing.sync_all)
        signals.connect()
