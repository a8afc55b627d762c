"""Menu entries, URLs and reference-data screens of county supervision and special funds."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core_finance.divisions import urls
from core_finance.models import DivisionMembership, FiscalDivision
from core_finance.wagtail_hooks import FinanceViewSet, register_menu_entries


class DivisionViewSet(FinanceViewSet):
    model = FiscalDivision
    name = "finance_fiscal_divisions"
    list_display = ["name", "code", "level", "parent", "review_threshold", "is_home"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_export = ["code", "name", "level", "parent", "review_threshold", "is_home"]
    form_fields = ["code", "name", "level", "parent", "review_threshold"]


class MembershipViewSet(FinanceViewSet):
    model = DivisionMembership
    name = "finance_division_members"
    list_display = ["user", "division", "supervises"]
    list_filter = ["division", "supervises"]
    list_export = ["user", "division", "supervises"]
    form_fields = ["user", "division", "supervises"]


VIEWSETS = [DivisionViewSet(), MembershipViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/divisions/", include((urls.urlpatterns, "finance_divisions"), namespace="finance_divisions"))]


ENTRIES = [
    (_("County supervision"), "finance_divisions:dashboard", "core_finance.view_indicator", 200),
    (_("Special funds"), "finance_divisions:funds", "finance_divisions.view_specialfund", 201),
    (_("Fiscal divisions"), lambda: VIEWSETS[0].menu_url, "core_finance.view_fiscaldivision", 202),
    (_("Division memberships"), lambda: VIEWSETS[1].menu_url, "core_finance.view_divisionmembership", 203),
]


register_menu_entries(ENTRIES, prefix="finance-div")
