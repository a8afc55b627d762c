"""Farmer subsidies in the 财政业务 menu: batches, programmes, households."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.subsidies import views
from core_finance.subsidies.models import Batch, Household, Programme
from core_finance.wagtail_hooks import (
    FinanceViewSet,
    ReadOnlyPolicy,
    WorkflowViewSet,
    register_menu_entries,
)


class BatchViewSet(WorkflowViewSet):
    model = Batch
    name = "finance_subsidy_batches"
    icon = "group"
    list_display = ["number", "programme", "period", "count", "total", "status", "created_by"]
    list_filter = ["status", "programme"]
    search_fields = ["number"]
    list_export = ["number", "programme", "period", "count", "total", "status", "created_by", "decided_by"]
    detail_route, create_route, create_perm = "finance_subsidies:batch", "finance_subsidies:batch_new", \
        "finance_subsidies.add_batch"
    create_label = _("New payment batch")


class ProgrammeViewSet(FinanceViewSet):
    model = Programme
    name = "finance_subsidy_programmes"
    icon = "list-ul"
    list_display = ["name", "year", "basis", "standard", "indicator", "is_active"]
    list_filter = ["year", "basis"]
    list_export = ["year", "name", "legal_basis", "basis", "standard", "indicator"]
    form_fields = ["year", "name", "legal_basis", "basis", "standard", "indicator", "payout_account", "payout_bank",
                   "is_active"]


class HouseholdViewSet(FinanceViewSet):
    model = Household
    name = "finance_subsidy_households"
    icon = "home"
    list_display = ["head_name", "division", "town", "village", "area_mu", "card_bank", "card_flagged", "is_active"]
    list_filter = ["division", "town", "card_flagged", "is_active"]
    search_fields = ["head_name", "village"]
    list_export = ["division", "head_name", "town", "village", "area_mu", "card_bank", "card_flagged", "flag_reason"]
    form_fields = ["division", "head_name", "id_number", "town", "village", "card_number", "card_bank", "area_mu",
                   "card_flagged", "flag_reason", "is_active"]


register_permission_policy(Batch, ReadOnlyPolicy(Batch))
VIEWSETS = [BatchViewSet(), ProgrammeViewSet(), HouseholdViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/subsidies/", include((views.urls(), "finance_subsidies"), namespace="finance_subsidies"))]


ENTRIES = [
    (_("Subsidy batches"), lambda: VIEWSETS[0].menu_url, "finance_subsidies.view_batch"),
    (_("Subsidy programmes"), lambda: VIEWSETS[1].menu_url, "finance_subsidies.view_programme"),
    (_("Subsidy households"), lambda: VIEWSETS[2].menu_url, "finance_subsidies.view_household"),
]


register_menu_entries([(*entry, 260 + position) for position, entry in enumerate(ENTRIES)],
                      prefix="finance-subsidies", icon="group")
