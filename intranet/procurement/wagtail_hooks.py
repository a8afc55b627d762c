from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import DateColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from intranet.procurement.models import ProcurementPlan, SupplierRegistration, Tender


class ManagePolicy(ModelPermissionPolicy):
    """Everything procurement staff do is governed by ``procurement.manage_tenders``."""

    perm = "manage_tenders"

    def user_has_permission(self, user, action):
        if action == "view":
            return any(user.has_perm(f"procurement.{p}") for p in ("manage_tenders", "open_bids", "evaluate_bids"))
        return user.has_perm(f"procurement.{self.perm}")


class ReviewPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action in ("view",) and user.has_perm("procurement.review_suppliers")


def _workflow_url(tender):
    return reverse("procurement_admin:tender", args=[tender.pk])


class PlanViewSet(ModelViewSet):
    model = ProcurementPlan
    name, url_prefix = "procurement_plans", "procurement/plans"
    icon = "list-ul"
    menu_label = _("Procurement plans")
    add_to_admin_menu = False
    form_fields = ["year", "title", "department", "budget_amount", "indicator_code", "method", "notes"]
    list_display = ["title", "year", "department", "budget_amount", "method"]
    list_filter = ["year", "method"]
    search_fields = ["title", "department"]
    list_export = ["year", "title", "department", "budget_amount", "indicator_code", "method"]



class TenderViewSet(ModelViewSet):
    model = Tender
    name, url_prefix = "procurement_tenders", "procurement/register"
    icon = "doc-full"
    menu_label = _("Tenders")
    add_to_admin_menu = False
    form_fields = ["plan", "reference", "title", "method", "buyer", "agency", "description", "budget",
                   "bid_security", "clarification_deadline", "bid_deadline", "opening_at", "opening_place", "contact"]
    list_display = [TitleColumn("reference", label=_("project number"), get_url=_workflow_url), "title", "method",
                    "budget", DateColumn("bid_deadline", label=_("bid deadline")), "status"]
    list_filter = ["status", "method"]
    search_fields = ["reference", "title", "buyer"]
    list_export = ["reference", "title", "method", "buyer", "budget", "bid_security", "bid_deadline", "status"]



class RegistrationViewSet(ModelViewSet):
    model = SupplierRegistration
    name, url_prefix = "procurement_suppliers", "procurement/suppliers"
    icon = "group"
    menu_label = _("Supplier registrations")
    add_to_admin_menu = False
    list_display = [TitleColumn("company_name", label=_("company name"),
                           get_url=lambda r: reverse("procurement_admin:registration", args=[r.pk])),
                    "uscc", "uscc_valid", "status", DateColumn("received_at", label=_("received"))]
    list_filter = ["status"]
    search_fields = ["company_name", "uscc"]
    list_export = ["company_name", "uscc", "uscc_valid", "legal_representative", "status", "received_at"]
    form_fields = ["review_note"]



register_permission_policy(ProcurementPlan, ManagePolicy(ProcurementPlan))
register_permission_policy(Tender, ManagePolicy(Tender))
register_permission_policy(SupplierRegistration, ReviewPolicy(SupplierRegistration))


class ProcurementGroup(ViewSetGroup):
    menu_label = _("Procurement")
    menu_icon = "doc-full"
    menu_order = 300
    items = (TenderViewSet, PlanViewSet, RegistrationViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ProcurementGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("procurement/", include("intranet.procurement.urls", namespace="procurement_admin"))]
