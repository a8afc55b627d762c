from functools import wraps

from django.urls import URLPattern, include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.revenue import urls
from core_finance.revenue.models import RevenueBudget, RevenueCode, RevenueRecord
from core_finance.services import scope
from core_finance.wagtail_hooks import (
    FinanceViewSet,
    LazyUrlMenuItem,
    ReadOnlyPolicy,
    ReadOnlyViewSet,
    register_menu_entries,
)


def _home_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        scope.require_home(request.user)
        return view(request, *args, **kwargs)

    return wrapped


class HomeOnlyViewSet:
    """Every URL of the viewset (listing, spreadsheet export, forms, history) is for staff of the
    home division only: the revenue database is a treasury-level module; others get a 404."""

    def get_urlpatterns(self):
        return [URLPattern(p.pattern, _home_only(p.callback), p.default_args, p.name)
                for p in super().get_urlpatterns()]


class HomeMenuItem(LazyUrlMenuItem):
    def is_shown(self, request):
        return super().is_shown(request) and scope.sees_home(request.user)


class CodeViewSet(HomeOnlyViewSet, FinanceViewSet):
    model = RevenueCode
    name = "finance_revenue_codes"
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    list_export = ["code", "name"]
    form_fields = ["code", "name"]


class BudgetViewSet(HomeOnlyViewSet, FinanceViewSet):
    model = RevenueBudget
    name = "finance_revenue_budgets"
    list_display = ["year", "code", "amount"]
    list_filter = ["year"]
    list_export = ["year", "code", "amount"]
    form_fields = ["year", "code", "amount"]


class RecordViewSet(HomeOnlyViewSet, ReadOnlyViewSet):
    """Imported records are facts from the treasury; they change only by importing a correcting file."""

    model = RevenueRecord
    name = "finance_revenue_records"
    list_display = ["date", "code", "office", "amount", "batch"]
    list_filter = ["code", "batch"]
    search_fields = ["office"]
    list_export = ["date", "code", "office", "amount", "batch"]


register_permission_policy(RevenueRecord, ReadOnlyPolicy(RevenueRecord))
VIEWSETS = [CodeViewSet(), BudgetViewSet(), RecordViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/revenue/", include((urls.urlpatterns, "finance_revenue"), namespace="finance_revenue"))]


register_menu_entries([(*entry, order) for order, entry in enumerate([
    (_("Revenue and decision support"), "finance_revenue:dashboard", "finance_revenue.view_revenuerecord"),
    (_("Import tax revenue"), "finance_revenue:import", "finance_revenue.import_revenuerecord"),
    (_("Revenue budgets"), lambda: VIEWSETS[1].menu_url, "finance_revenue.view_revenuebudget"),
    (_("Revenue records"), lambda: VIEWSETS[2].menu_url, "finance_revenue.view_revenuerecord"),
    (_("Revenue codes"), lambda: VIEWSETS[0].menu_url, "finance_revenue.view_revenuecode"),
], start=260)], prefix="finance-revenue", item_class=HomeMenuItem)
