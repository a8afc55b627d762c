from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from exchange.views import PERMISSION


class ExchangeMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("exchange/", include("exchange.urls", namespace="exchange_admin"))]


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return ExchangeMenuItem(_("Exchange"), reverse("exchange_admin:status"), name="exchange", icon_name="resubmit",
                            order=10000)
