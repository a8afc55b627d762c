from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core_finance.debt import urls
from core_finance.services import scope
from core_finance.wagtail_hooks import MENU_HOOK, LazyUrlMenuItem


class HomeMenuItem(LazyUrlMenuItem):
    """Shown only to staff of the home division: debt is managed by the treasury, not by townships."""

    def is_shown(self, request):
        return super().is_shown(request) and scope.sees_home(request.user)


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/debt/", include((urls.urlpatterns, "finance_debt"), namespace="finance_debt"))]


@hooks.register(MENU_HOOK)
def menu_item():
    return HomeMenuItem(_("Government debt"), "finance_debt:dashboard", "finance_debt.view_debtinstrument",
                        icon_name="table", order=240, name="finance-debt")
