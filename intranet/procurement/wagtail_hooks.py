from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import DateColumn, TitleColumn
from wagtail.admin.views.generic import CreateView
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


class PlanFormChecks:
    """Added to the viewset's generated form (which keeps the admin widgets)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core_finance.models import Agency, Indicator

        self.fields["agency"].required = self.fields["indicator"].required = True
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)
        self.fields["indicator"].queryset = Indicator.objects.select_related("agency", "functional", "dept_econ")
        self.fields["indicator"].label_from_instance = lambda i: _(
            "%(number)s · %(agency)s · %(year)s · available %(balance)s yuan") % {
            "number": i.number, "agency": i.agency.name, "year": i.year, "balance": f"{i.balance:,.2f}"}
        self.fields["indicator"].help_text = _("An issued indicator of the purchasing agency for the same fiscal "
                                               "year; at approval the plan's budget must fit its available balance.")


class PlanCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


def _plan_url(plan):
    return reverse("procurement_admin:plan", args=[plan.pk])


class PlanViewSet(ModelViewSet):
    model = ProcurementPlan
    name, url_prefix = "procurement_plans", "procurement/plans"
    icon = "list-ul"
    menu_label = _("Procurement plans")
    add_to_admin_menu = False
    add_view_class = PlanCreateView
    list_display = [TitleColumn("title", label=_("title"), get_url=_plan_url), "year", "agency", "indicator",
                    "budget_amount", "status"]
    list_filter = ["year", "method", "status"]
    search_fields = ["title", "department"]
    list_export = ["year", "title", "department", "agency", "indicator", "indicator_code", "budget_amount", "method",
                   "status"]

    form_fields = ["year", "title", "agency", "indicator", "budget_amount", "method", "notes"]

    def get_form_class(self, for_update=False):
        return type("PlanForm", (PlanFormChecks, super().get_form_class(for_update)), {})


class TenderFormChecks:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ProcurementPlan.objects.exclude(status=ProcurementPlan.DRAFT).select_related(
            "indicator")
        self.fields["plan"].help_text = _("An approved plan; the tender's budget cannot exceed the plan's budget.")

    def clean(self):
        data = super().clean()
        plan, budget = data.get("plan"), data.get("budget")
        if plan and budget is not None and budget > plan.budget_amount:
            self.add_error("budget", _("The tender's budget (%(budget)s yuan) exceeds its procurement plan's budget "
                                       "(%(plan)s yuan).") % {"budget": f"{budget:,.2f}",
                                                               "plan": f"{plan.budget_amount:,.2f}"})
        return data


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

    def get_form_class(self, for_update=False):
        return type("TenderForm", (TenderFormChecks, super().get_form_class(for_update)), {})



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
