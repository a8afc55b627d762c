from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "extranet.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from extranet.portal import cache, records

        records.register()

        def changed(**kwargs):
            cache.bump()

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(changed, dispatch_uid=f"portal-cache-{id(signal)}", weak=False)
        post_delete.connect(changed, sender=Page, dispatch_uid="portal-cache-delete", weak=False)
