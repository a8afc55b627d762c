"""Special accounts in the Wagtail admin: the accounts (reference data, exportable), the records
(read-only list with Excel export) and the workflow screen under the 财政业务 menu."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.special_accounts import urls
from core_finance.special_accounts.models import SpecialAccount, SpecialTransaction
from core_finance.wagtail_hooks import (
    MENU_HOOK,
    FinanceViewSet,
    LazyUrlMenuItem,
    ReadOnlyPolicy,
    ReadOnlyViewSet,
)


class AccountViewSet(FinanceViewSet):
    model = SpecialAccount
    name = "finance_special_accounts_list"
    list_display = ["name", "bank", "account_no", "fund_type", "purpose", "balance", "is_active"]
    list_filter = ["bank", "fund_type", "is_active"]
    search_fields = ["name", "account_no"]
    list_export = ["bank", "bank_name", "account_no", "name", "purpose", "fund_type", "balance", "is_active"]
    form_fields = ["bank", "bank_name", "account_no", "name", "purpose", "fund_type", "opened_on", "is_active"]


class RecordViewSet(ReadOnlyViewSet):
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
    return LazyUrlMenuItem(_("Special fiscal accounts"), "finance_special_accounts:overview",
                           "finance_special_accounts.view_specialaccount", icon_name="table", order=220,
                           name="finance-special-accounts")


@hooks.register(MENU_HOOK)
def menu_accounts():
    return LazyUrlMenuItem(_("Special account register"), lambda: VIEWSETS[0].menu_url,
                           "finance_special_accounts.view_specialaccount", icon_name="table", order=221,
                           name="finance-special-accounts-list")


@hooks.register(MENU_HOOK)
def menu_records():
    return LazyUrlMenuItem(_("Special account records"), lambda: VIEWSETS[1].menu_url,
                           "finance_special_accounts.view_specialtransaction", icon_name="table", order=222,
                           name="finance-special-records")
