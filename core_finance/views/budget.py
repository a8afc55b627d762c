"""Budget preparation screens: a version with its lines, summaries, review trail and actions."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core_finance.forms import DocNumberForm, LineForm, ReviewForm, UploadForm, VersionForm
from core_finance.models import BudgetLine, BudgetStatus, BudgetVersion
from core_finance.services import budget, budget_import, indicators
from core_finance.views.common import (
    XLSX,
    attempt,
    download,
    needs,
    page,
    post_only,
    row_errors,
    scoped_form,
    scoped_get,
)

SUMMARY_TITLES = {
    "functional_1": gettext_lazy("By functional class (类)"), "functional_2": gettext_lazy("By functional section (款)"),
    "functional_3": gettext_lazy("By functional item (项)"), "economic_1": gettext_lazy("By economic class (类)"),
    "economic_2": gettext_lazy("By economic section (款)"), "funding": gettext_lazy("By funding source"),
    "expenditure_type": gettext_lazy("Basic and project expenditure"),
}


@needs("add_budgetversion")
def create_version(request):
    form = scoped_form(VersionForm(request.POST or None), request.user)
    if request.method == "POST" and form.is_valid():
        failed, version = attempt(request, lambda: budget.create_version(form.cleaned_data["agency"],
                                                                         form.cleaned_data["year"], request.user),
                                  _("Budget version ready."), reverse("core_finance:budget_new"))
        return failed or redirect("core_finance:budget_detail", version.pk)
    return page(request, "form_page.html", _("Prepare a budget"), {"form": form, "label": _("Open")})


@needs("view_budgetversion")
def detail(request, pk: int):
    version = scoped_get(request, BudgetVersion.objects.select_related("agency", "created_by"), pk=pk)
    lines = version.lines.select_related("project", "functional", "dept_econ", "gov_econ", "funding")
    summary = budget.summary(version)
    tables = [(SUMMARY_TITLES[k], rows) for k, rows in summary["tables"].items()]
    user = request.user
    return page(request, "budget_detail.html", str(version), {
        "version": version, "lines": lines, "total": summary["total"], "tables": tables,
        "reviews": version.reviews.select_related("actor"), "line_form": LineForm(version=version),
        "upload_form": UploadForm(), "review_form": ReviewForm(), "doc_form": DocNumberForm(),
        "can_edit": version.editable and user.has_perm("core_finance.add_budgetversion"),
        "can_submit": version.editable and user.has_perm("core_finance.submit_budgetversion"),
        "can_dept_review": version.status == BudgetStatus.SUBMITTED
        and user.has_perm("core_finance.review_budgetversion"),
        "can_finance_review": version.status == BudgetStatus.DEPT_APPROVED
        and user.has_perm("core_finance.approve_budgetversion"),
        "can_issue": version.status == BudgetStatus.APPROVED and not version.indicators_issued
        and user.has_perm("core_finance.issue_indicator"),
        "row_errors": row_errors(request),
    })


@post_only
@needs("add_budgetversion")
def add_line(request, pk: int):
    version = scoped_get(request, BudgetVersion, pk=pk)
    back = reverse("core_finance:budget_detail", args=[pk])
    form = LineForm(request.POST, version=version)
    if not form.is_valid():
        return detail(request, pk)
    failed, _line = attempt(request, lambda: budget.add_line(version, request.user, **form.cleaned_data),
                            _("Line added."), back)
    return failed or redirect(back)


@post_only
@needs("add_budgetversion")
def remove_line(request, pk: int, line_pk: int):
    line = scoped_get(request, BudgetLine, pk=line_pk, version_id=pk)
    back = reverse("core_finance:budget_detail", args=[pk])
    failed, _x = attempt(request, lambda: budget.remove_line(line, request.user), _("Line removed."), back)
    return failed or redirect(back)


@post_only
@needs("add_budgetversion")
def import_lines(request, pk: int):
    version = scoped_get(request, BudgetVersion, pk=pk)
    back = reverse("core_finance:budget_detail", args=[pk])
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return redirect(back)
    failed, _n = attempt(request, lambda: budget_import.import_budget(version, form.cleaned_data["file"].read(),
                                                                      request.user),
                         _("The budget was imported."), back)
    return failed or redirect(back)


@needs("view_budgetversion")
def template(request, pk: int):
    version = scoped_get(request, BudgetVersion, pk=pk)
    return download(budget_import.template_xlsx(version), f"budget-{version.agency.code}-{version.year}.xlsx", XLSX)


@post_only
@needs("view_budgetversion")
def act(request, pk: int, action: str):
    version = scoped_get(request, BudgetVersion, pk=pk)
    back = reverse("core_finance:budget_detail", args=[pk])
    comment = request.POST.get("comment", "")
    approve = request.POST.get("decision") == "approve"
    calls = {
        "submit": (lambda: budget.submit(version, request.user), _("Submitted.")),
        "department": (lambda: budget.department_review(version, request.user, approve, comment),
                       _("Review recorded.")),
        "finance": (lambda: budget.finance_review(version, request.user, approve, comment), _("Review recorded.")),
        "issue": (lambda: indicators.issue_from_budget(version, request.POST.get("doc_number", ""), request.user),
                  _("Indicators issued.")),
    }
    if action not in calls:
        return redirect(back)
    call, message = calls[action]
    failed, result = attempt(request, call, message, back)
    if failed:
        return failed
    if action == "finance" and isinstance(result, BudgetVersion) and result.pk != version.pk:
        return redirect("core_finance:budget_detail", result.pk)
    return redirect(back)
