from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.revenue import urls
from core_finance.revenue.models import RevenueBudget, RevenueCode, RevenueRecord
from core_finance.wagtail_hooks import (
    MENU_HOOK,
    FinanceViewSet,
    LazyUrlMenuItem,
    ReadOnlyPolicy,
    ReadOnlyViewSet,
)


class CodeViewSet(FinanceViewSet):
    model = RevenueCode
    name = "finance_revenue_codes"
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    list_export = ["code", "name"]
    form_fields = ["code", "name"]


class BudgetViewSet(FinanceViewSet):
    model = RevenueBudget
    name = "finance_revenue_budgets"
    list_display = ["year", "code", "amount"]
    list_filter = ["year"]
    list_export = ["year", "code", "amount"]
    form_fields = ["year", "code", "amount"]


class RecordViewSet(ReadOnlyViewSet):
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


def _entry(label, route, perm, order):
    @hooks.register(MENU_HOOK)
    def item():
        return LazyUrlMenuItem(label, route, perm, icon_name="table", order=order, name=f"finance-revenue-{order}")

    return item


for _order, (_label, _route, _perm) in enumerate([
    (_("Revenue and decision support"), "finance_revenue:dashboard", "finance_revenue.view_revenuerecord"),
    (_("Import tax revenue"), "finance_revenue:import", "finance_revenue.import_revenuerecord"),
    (_("Revenue budgets"), lambda: VIEWSETS[1].menu_url, "finance_revenue.view_revenuebudget"),
    (_("Revenue records"), lambda: VIEWSETS[2].menu_url, "finance_revenue.view_revenuerecord"),
    (_("Revenue codes"), lambda: VIEWSETS[0].menu_url, "finance_revenue.view_revenuecode"),
], start=260):
    _entry(_label, _route, _perm, _order)
