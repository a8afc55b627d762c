"""Payroll in the 财政业务 menu: runs, personnel changes, the staff database, pay items, payslips."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from core_finance.payroll import views
from core_finance.payroll.models import PayItem, PayrollRun, PersonnelChange, Staff
from core_finance.wagtail_hooks import (
    MENU_HOOK,
    FinanceViewSet,
    ReadOnlyPolicy,
    ReadOnlyViewSet,
    WorkflowViewSet,
    register_menu_entries,
)


class RunViewSet(WorkflowViewSet):
    model = PayrollRun
    name = "finance_payroll_runs"
    icon = "user"
    list_display = ["__str__", "status", "headcount", "gross", "withholdings", "net", "created_by"]
    list_filter = ["status", "agency"]
    list_export = ["agency", "period", "status", "headcount", "gross", "withholdings", "net"]
    detail_route, create_route, create_perm = "finance_payroll:run", "finance_payroll:run_new", \
        "finance_payroll.add_payrollrun"
    create_label = _("New payroll run")


class ChangeViewSet(WorkflowViewSet):
    model = PersonnelChange
    name = "finance_payroll_changes"
    icon = "user"
    list_display = ["__str__", "agency", "effective_from", "status", "created_by", "decided_by"]
    list_filter = ["status", "kind", "agency"]
    list_export = ["number", "agency", "kind", "effective_from", "reason", "status", "created_by", "decided_by"]
    detail_route, create_route, create_perm = "finance_payroll:change", "finance_payroll:change_new", \
        "finance_payroll.add_personnelchange"
    create_label = _("Request a personnel change")


class StaffViewSet(ReadOnlyViewSet):
    model = Staff
    name = "finance_payroll_staff"
    icon = "user"
    list_display = ["name", "agency", "position", "grade", "hired_from", "left_from"]
    list_filter = ["agency"]
    search_fields = ["name", "position"]
    list_export = ["agency", "name", "position", "grade", "bank_name", "hired_from", "left_from"]
    inspect_view_enabled = True
    inspect_view_fields = ["agency", "name", "position", "grade", "bank_name", "hired_from", "left_from"]


class ItemViewSet(FinanceViewSet):
    model = PayItem
    name = "finance_payroll_items"
    icon = "list-ul"
    list_display = ["name", "code", "kind", "econ_code", "method", "rate", "is_active"]
    list_export = ["code", "name", "kind", "econ_code", "method", "rate", "in_base", "payee_name"]
    form_fields = ["code", "name", "kind", "econ_code", "method", "rate", "in_base", "payee_name", "payee_account",
                   "payee_bank", "position", "is_active"]


for model in (PayrollRun, PersonnelChange, Staff):
    register_permission_policy(model, ReadOnlyPolicy(model))

VIEWSETS = [RunViewSet(), ChangeViewSet(), StaffViewSet(), ItemViewSet()]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return VIEWSETS


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/payroll/", include((views.urls(), "finance_payroll"), namespace="finance_payroll"))]


class OwnPayslipsItem(MenuItem):
    def render_component(self, request):
        from django.urls import reverse

        self.url = reverse("finance_payroll:payslips")
        return super().render_component(request)


ENTRIES = [
    (_("Payroll runs"), lambda: VIEWSETS[0].menu_url, "finance_payroll.view_payrollrun"),
    (_("Personnel changes"), lambda: VIEWSETS[1].menu_url, "finance_payroll.view_personnelchange"),
    (_("Supported staff"), lambda: VIEWSETS[2].menu_url, "finance_payroll.view_staff"),
    (_("Pay items"), lambda: VIEWSETS[3].menu_url, "finance_payroll.view_payitem"),
]


register_menu_entries([(*entry, 210 + position) for position, entry in enumerate(ENTRIES)], prefix="finance-payroll",
                      icon="user")


@hooks.register(MENU_HOOK)
def own_payslips():
    return OwnPayslipsItem(_("Payslips"), "#", icon_name="doc-full", order=215, name="finance-payroll-payslips")
