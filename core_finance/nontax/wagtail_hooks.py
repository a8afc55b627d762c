"""Non-tax revenue in the Wagtail admin: collection items (reference data, exportable), the
notices (read-only list with Excel export) and the workflow screens under the 财政业务 menu.
Listings, exports, filters and single objects are scoped by the collecting agency's division."""

from django.http import Http404
from django.urls import include, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from core_finance.nontax import urls
from core_finance.nontax.models import CollectionItem, PaymentNotice, Settlement
from core_finance.services import scope
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


class AgencyScoped:
    """Narrow to the user's divisions through ``scope_path`` (the lookup to the collecting agency)."""

    scope_path = ""

    def narrow(self, queryset):
        return scope.for_user(queryset, self.request.user, path=self.scope_path)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is not None and not self.narrow(self.model._default_manager.filter(pk=obj.pk)).exists():
            raise Http404
        return obj


class AgencyScopedIndex(AgencyScoped):
    def get_base_queryset(self):
        return self.narrow(super().get_base_queryset())

    @cached_property
    def filters(self):
        filterset = super().filters
        field = filterset.form.fields.get("item") if filterset is not None else None
        if field is not None:
            field.queryset = scope.for_user(field.queryset, self.request.user, path="agency__")
        return filterset


def scoped_by(lookup: str) -> type:
    """A viewset base whose every view is scoped through ``lookup``."""

    def make(mixin, base):
        return type(f"AgencyScoped{base.__name__}", (mixin, base), {"scope_path": lookup})

    views = {"index_view_class": make(AgencyScopedIndex, ScopedIndexView)}
    for name, base in (("add", ScopedCreateView), ("edit", ScopedEditView), ("delete", ScopedDeleteView),
                       ("inspect", ScopedInspectView), ("history", ScopedHistoryView), ("usage", ScopedUsageView)):
        views[f"{name}_view_class"] = make(AgencyScoped, base)
    return type("AgencyScopedViews", (), views)


class ItemViewSet(scoped_by("agency__"), FinanceViewSet):
    model = CollectionItem
    name = "finance_nontax_items"
    list_display = ["code", "name", "agency", "standard_kind", "fixed_amount", "min_amount", "max_amount", "target",
                    "is_active"]
    list_filter = ["target", "standard_kind", "is_active"]
    search_fields = ["code", "name"]
    list_export = ["code", "name", "agency", "standard_kind", "fixed_amount", "min_amount", "max_amount",
                   "legal_basis", "target", "special_account", "late_fee_rate", "is_active"]
    form_fields = ["code", "name", "agency", "standard_kind", "fixed_amount", "min_amount", "max_amount",
                   "legal_basis", "target", "special_account", "late_fee_rate", "is_active"]


class NoticeViewSet(scoped_by("item__agency__"), ReadOnlyViewSet):
    model = PaymentNotice
    name = "finance_nontax_notices"
    list_display = ["number", "payment_code", "item", "payer_name", "amount", "due_date", "status", "bank"]
    list_filter = ["status", "bank", "item"]
    search_fields = ["number", "payment_code", "payer_name"]
    list_export = ["number", "payment_code", "item", "payer_name", "payer_id", "amount", "due_date", "bank",
                   "status", "refunded", "remittance", "created_by", "created_at"]
    inspect_view_enabled = True


class SettlementViewSet(scoped_by("notice__item__agency__"), ReadOnlyViewSet):
    model = Settlement
    name = "finance_nontax_settlements"
    list_display = ["notice", "principal", "late_fee", "total", "paid_on", "bank_ref", "file"]
    list_filter = ["paid_on"]
    search_fields = ["bank_ref"]
    list_export = ["notice", "principal", "late_fee", "total", "paid_on", "bank_ref", "file", "row"]


for model in (PaymentNotice, Settlement):
    register_permission_policy(model, ReadOnlyPolicy(model))
VIEWSETS = [ItemViewSet(), NoticeViewSet(), SettlementViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/nontax/", include((urls.urlpatterns, "finance_nontax")))]


MENU = [
    (_("Non-tax revenue"), "finance_nontax:overview", "finance_nontax.view_paymentnotice"),
    (_("Non-tax collection items"), lambda: VIEWSETS[0].menu_url, "finance_nontax.view_collectionitem"),
    (_("Payment notices"), lambda: VIEWSETS[1].menu_url, "finance_nontax.view_paymentnotice"),
    (_("Non-tax settlements"), lambda: VIEWSETS[2].menu_url, "finance_nontax.view_settlement"),
    (_("Non-tax daily reconciliation"), "finance_nontax:reconciliation", "finance_nontax.view_paymentnotice"),
]


def _menu_hook(label, route, perm, order):
    @hooks.register(MENU_HOOK)
    def item():
        return LazyUrlMenuItem(label, route, perm, icon_name="table", order=order, name=f"finance-nontax-{order}")

    return item


for position, (label, route, perm) in enumerate(MENU):
    _menu_hook(label, route, perm, 210 + position)
