"""Special accounts in the Wagtail admin: the accounts (reference data, exportable), the records
(read-only list with Excel export) and the workflow screen under the 财政业务 menu. They are the
treasury's: for staff outside the home division the menu hides them and every view is a 404."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.services import scope
from core_finance.special_accounts import urls
from core_finance.special_accounts.models import SpecialAccount, SpecialTransaction
from core_finance.wagtail_hooks import (
    MENU_HOOK,
    FinanceViewSet,
    LazyUrlMenuItem,
    ReadOnlyPolicy,
    ReadOnlyViewSet,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedUsageView,
)


class HomeOnly:
    def dispatch(self, request, *args, **kwargs):
        scope.require_home(request.user)
        return super().dispatch(request, *args, **kwargs)


def _home_only(view_class):
    return type(f"HomeOnly{view_class.__name__}", (HomeOnly, view_class), {})


class HomeOnlyViews:
    index_view_class = _home_only(ScopedIndexView)
    add_view_class = _home_only(ScopedCreateView)
    edit_view_class = _home_only(ScopedEditView)
    delete_view_class = _home_only(ScopedDeleteView)
    inspect_view_class = _home_only(ScopedInspectView)
    history_view_class = _home_only(ScopedHistoryView)
    usage_view_class = _home_only(ScopedUsageView)


class HomeMenuItem(LazyUrlMenuItem):
    def is_shown(self, request):
        return super().is_shown(request) and scope.sees_home(request.user)


class AccountViewSet(HomeOnlyViews, FinanceViewSet):
    model = SpecialAccount
    name = "finance_special_accounts_list"
    list_display = ["name", "bank", "account_no", "fund_type", "purpose", "balance", "is_active"]
    list_filter = ["bank", "fund_type", "is_active"]
    search_fields = ["name", "account_no"]
    list_export = ["bank", "bank_name", "account_no", "name", "purpose", "fund_type", "balance", "is_active"]
    form_fields = ["bank", "bank_name", "account_no", "name", "purpose", "fund_type", "opened_on", "is_active"]


class RecordViewSet(HomeOnlyViews, ReadOnlyViewSet):
    model = SpecialTransaction
    name = "finance_special_records"
    list_display = ["number", "account", "direction", "amount", "counterparty", "value_date", "status"]
    list_filter = ["status", "direction", "account"]
    search_fields = ["number", "counterparty", "purpose"]
    list_export = ["number", "account", "direction", "amount", "counterparty", "counterparty_account", "purpose",
                   "value_date", "status", "created_by", "decided_by", "balance_after"]
    inspect_view_enabled = True


register_permission_policy(SpecialTransaction, ReadOnlyPolicy(SpecialTransaction))
VIEWSETS = [AccountViewSet(), RecordViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/special-accounts/", include((urls.urlpatterns, "finance_special_accounts")))]


@hooks.register(MENU_HOOK)
def menu_overview():
    return HomeMenuItem(_("Special fiscal accounts"), "finance_special_accounts:overview",
                           "finance_special_accounts.view_specialaccount", icon_name="table", order=220,
                           name="finance-special-accounts")


@hooks.register(MENU_HOOK)
def menu_accounts():
    return HomeMenuItem(_("Special account register"), lambda: VIEWSETS[0].menu_url,
                           "finance_special_accounts.view_specialaccount", icon_name="table", order=221,
                           name="finance-special-accounts-list")


@hooks.register(MENU_HOOK)
def menu_records():
    return HomeMenuItem(_("Special account records"), lambda: VIEWSETS[1].menu_url,
                           "finance_special_accounts.view_specialtransaction", icon_name="table", order=222,
                           name="finance-special-records")
