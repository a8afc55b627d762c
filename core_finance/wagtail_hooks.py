"""The finance staff screens in the intranet's Wagtail admin (menu group “财政业务”).

Reference data (code tables, agencies, projects, monitoring rules) use plain model viewsets.
Documents with a workflow are listed by read-only viewsets whose rows open the workflow screens
in core_finance.views, where every action goes through the services.
"""

from django.http import Http404
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core_finance import admin_urls
from core_finance.models import (
    Agency,
    BudgetVersion,
    ClassificationCode,
    EconomicMapping,
    Indicator,
    IndicatorAdjustment,
    MonitorHit,
    MonitorRule,
    PaymentApplication,
    PaymentVoucher,
    Project,
)
from core_finance.services import scope

MENU_HOOK = "register_core_finance_menu_item"


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Viewing only: these records change through the services, never through a generic form."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)


def _scoped(model) -> bool:
    return scope.scoped_model(model)


class ScopedListMixin:
    """Listings, their filters and their spreadsheet export show only the user's divisions."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return scope.for_user(queryset, self.request.user) if _scoped(self.model) else queryset

    @cached_property
    def filters(self):
        filterset = super().filters
        if filterset is not None:
            scope.narrow_form(filterset.form, self.request.user)
        return filterset


class ScopedObjectMixin:
    """Another division's object does not exist here (404); form choices are narrowed too."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is not None and _scoped(self.model) and not scope.for_user(
                self.model._default_manager.filter(pk=obj.pk), self.request.user).exists():
            raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        return scope.narrow_form(super().get_form(*args, **kwargs), self.request.user)


class ScopedIndexView(ScopedListMixin, IndexView):
    pass


class ScopedInspectView(ScopedObjectMixin, InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, UsageView):
    pass


class ScopedCreateView(ScopedObjectMixin, CreateView):
    pass


class ScopedEditView(ScopedObjectMixin, EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, DeleteView):
    pass


class LinkedIndexView(ScopedListMixin, IndexView):
    detail_route = None
    create_route = None
    create_label = None
    create_perm = None

    def get_edit_url(self, instance):
        return None

    def get_inspect_url(self, instance):
        return reverse(self.detail_route, args=[instance.pk]) if self.detail_route else None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.create_route and self.request.user.has_perm(self.create_perm):
            buttons.append(HeaderButton(self.create_label, url=reverse(self.create_route), icon_name="plus"))
        return buttons


class FinanceViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    add_to_admin_menu = False
    icon = "table"
    list_per_page = 50
    search_backend_name = None
    copy_view_enabled = False


class ReadOnlyViewSet(FinanceViewSet):
    exclude_form_fields = []  # never shown: ReadOnlyPolicy grants no add or change


class WorkflowViewSet(ReadOnlyViewSet):
    index_view_class = LinkedIndexView
    detail_route = create_route = create_label = create_perm = None

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(detail_route=self.detail_route, create_route=self.create_route,
                                             create_label=self.create_label, create_perm=self.create_perm, **kwargs)


class CodeViewSet(FinanceViewSet):
    model = ClassificationCode
    name = "finance_codes"
    list_display = ["code", "name", "table", "year", "level", "is_leaf", "payment_kind", "is_active"]
    list_filter = ["year", "table", "is_leaf", "is_active"]
    search_fields = ["code", "name"]
    list_export = ["year", "table", "code", "name", "level", "is_leaf", "payment_kind"]
    form_fields = ["year", "table", "code", "name", "parent", "level", "is_leaf", "payment_kind", "is_active"]


class MappingViewSet(FinanceViewSet):
    model = EconomicMapping
    name = "finance_mappings"
    list_display = ["dept_code", "gov_code", "year"]
    list_filter = ["year"]
    list_export = ["year", "dept_code", "gov_code"]
    form_fields = ["year", "dept_code", "gov_code"]


class AgencyViewSet(FinanceViewSet):
    model = Agency
    name = "finance_agencies"
    list_display = ["name", "code", "parent", "division", "is_department", "agent_bank", "is_active"]
    list_filter = ["division", "is_department", "agent_bank", "is_active"]
    search_fields = ["code", "name"]
    list_export = ["code", "name", "parent", "division", "is_department", "agent_bank", "zero_balance_account"]
    form_fields = ["code", "name", "parent", "division", "is_department", "agent_bank", "zero_balance_account",
                   "is_active"]


class ProjectViewSet(FinanceViewSet):
    model = Project
    name = "finance_projects"
    list_display = ["name", "code", "agency", "category", "year", "requested_amount"]
    list_filter = ["year", "category", "agency"]
    search_fields = ["code", "name"]
    list_export = ["year", "code", "name", "agency", "category", "requested_amount"]
    panels = [FieldPanel("year"), FieldPanel("code"), FieldPanel("name"), FieldPanel("agency"),
              FieldPanel("category"), FieldPanel("description"), FieldPanel("requested_amount"),
              InlinePanel("targets", heading=_("performance targets"), label=_("performance target"))]


class BudgetViewSet(WorkflowViewSet):
    model = BudgetVersion
    name = "finance_budgets"
    list_display = ["__str__", "status", "round", "year", "created_by"]
    list_filter = ["year", "status", "agency"]
    detail_route, create_route, create_perm = "core_finance:budget_detail", "core_finance:budget_new", \
        "core_finance.add_budgetversion"
    create_label = _("Prepare a budget")


class IndicatorViewSet(WorkflowViewSet):
    model = Indicator
    name = "finance_indicators"
    list_display = ["number", "agency", "functional", "dept_econ", "funding", "doc_number", "budget", "balance"]
    list_filter = ["year", "agency", "funding"]
    search_fields = ["number", "doc_number"]
    list_export = ["number", "year", "agency", "functional", "dept_econ", "gov_econ", "funding", "doc_number",
                   "amount", "budget", "balance"]
    detail_route = "core_finance:indicator_detail"


class AdjustmentViewSet(WorkflowViewSet):
    model = IndicatorAdjustment
    name = "finance_adjustments"
    list_display = ["__str__", "status", "doc_number", "created_by", "created_at"]
    list_filter = ["status", "kind"]
    detail_route = "core_finance:adjustment_detail"


class PaymentViewSet(WorkflowViewSet):
    model = PaymentApplication
    name = "finance_payments"
    list_display = ["number", "agency", "payee_name", "amount", "kind", "status", "month", "created_by"]
    list_filter = ["year", "status", "kind", "agency"]
    search_fields = ["number", "payee_name", "purpose"]
    list_export = ["number", "year", "month", "agency", "indicator", "payee_name", "amount", "refunded", "kind",
                   "status", "created_by", "decided_by"]
    detail_route, create_route, create_perm = "core_finance:payment_detail", "core_finance:payment_new", \
        "core_finance.add_paymentapplication"
    create_label = _("New payment application")


class VoucherViewSet(ReadOnlyViewSet):
    model = PaymentVoucher
    name = "finance_vouchers"
    list_display = ["number", "application", "kind", "account_type", "bank", "amount", "paid_on"]
    list_filter = ["kind", "bank", "account_type"]
    search_fields = ["number", "bank_ref"]
    list_export = ["number", "application", "kind", "account_type", "bank", "amount", "issued_at", "paid_on",
                   "bank_ref", "return_reason"]
    inspect_view_enabled = True


class RuleViewSet(FinanceViewSet):
    model = MonitorRule
    name = "finance_rules"
    list_display = ["name", "code", "kind", "level", "threshold", "is_active"]
    form_fields = ["code", "name", "kind", "level", "econ_prefixes", "threshold", "is_active"]


class HitViewSet(ReadOnlyViewSet):
    model = MonitorHit
    name = "finance_hits"
    list_display = ["rule", "application", "level", "message", "created_at"]
    list_filter = ["level", "rule"]
    list_export = ["rule", "application", "level", "message", "created_at"]
    inspect_view_enabled = True


for model in (BudgetVersion, Indicator, IndicatorAdjustment, PaymentApplication, PaymentVoucher, MonitorHit):
    register_permission_policy(model, ReadOnlyPolicy(model))

VIEWSETS = [CodeViewSet(), MappingViewSet(), AgencyViewSet(), ProjectViewSet(), BudgetViewSet(), IndicatorViewSet(),
            AdjustmentViewSet(), PaymentViewSet(), VoucherViewSet(), RuleViewSet(), HitViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/", include((admin_urls.urlpatterns, "core_finance"), namespace="core_finance"))]


class PermissionMenuItem(MenuItem):
    def __init__(self, label, url, perm, **kwargs):
        self.perm = perm
        super().__init__(label, url, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.perm)


class LazyUrlMenuItem(PermissionMenuItem):
    """A menu item whose URL is reversed when the menu is drawn (the URLconf is loaded by then)."""

    def __init__(self, label, route, perm, **kwargs):
        self.route = route
        super().__init__(label, "#", perm, **kwargs)

    def render_component(self, request):
        self.url = self.route() if callable(self.route) else reverse(self.route)
        return super().render_component(request)


ENTRIES = [
    (_("Code tables"), lambda: VIEWSETS[0].menu_url, "core_finance.view_classificationcode"),
    (_("Code table import and export"), "core_finance:codes_transfer", "core_finance.view_classificationcode"),
    (_("Economic mappings"), lambda: VIEWSETS[1].menu_url, "core_finance.view_economicmapping"),
    (_("Budget agencies"), lambda: VIEWSETS[2].menu_url, "core_finance.view_agency"),
    (_("Project library"), lambda: VIEWSETS[3].menu_url, "core_finance.view_project"),
    (_("Budget preparation"), lambda: VIEWSETS[4].menu_url, "core_finance.view_budgetversion"),
    (_("Indicators"), lambda: VIEWSETS[5].menu_url, "core_finance.view_indicator"),
    (_("Indicator adjustments"), lambda: VIEWSETS[6].menu_url, "core_finance.view_indicatoradjustment"),
    (_("Payment applications"), lambda: VIEWSETS[7].menu_url, "core_finance.view_paymentapplication"),
    (_("Payment vouchers"), lambda: VIEWSETS[8].menu_url, "core_finance.view_paymentvoucher"),
    (_("Agent banks and clearing"), "core_finance:bank", "core_finance.view_bankfile"),
    (_("Ledger"), "core_finance:ledger", "core_finance.view_journalentry"),
    (_("Monitoring rules"), lambda: VIEWSETS[9].menu_url, "core_finance.view_monitorrule"),
    (_("Monitoring hits"), lambda: VIEWSETS[10].menu_url, "core_finance.view_monitorhit"),
    (_("Budget execution"), "core_finance:execution", "core_finance.view_paymentapplication"),
    (_("Decision support"), "core_finance:leaders", "core_finance.view_paymentapplication"),
    (_("Budget disclosure"), "core_finance:disclosure", "core_finance.view_disclosuredataset"),
]


def register_menu_entries(entries, *, prefix: str, icon: str = "table", item_class=LazyUrlMenuItem) -> None:
    """Put ``(label, route, permission, order)`` entries into the 财政业务 menu; every finance module
    registers its screens through this."""

    def hook_for(label, route, perm, order):
        @hooks.register(MENU_HOOK)
        def item():
            return item_class(label, route, perm, icon_name=icon, order=order, name=f"{prefix}-{order}")

        return item

    for label, route, perm, order in entries:
        hook_for(label, route, perm, order)


register_menu_entries([(*entry, position * 10) for position, entry in enumerate(ENTRIES)], prefix="finance")


@hooks.register("register_admin_menu_item")
def register_finance_menu():
    return SubmenuMenuItem(_("Finance"), Menu(register_hook_name=MENU_HOOK), icon_name="table", name="finance",
                           order=250)
