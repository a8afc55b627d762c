"""Payroll screens (Wagtail admin): runs, personnel changes, payslips. Every action is a service call."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.payroll.forms import ChangeForm, CommentForm, RunForm
from core_finance.payroll.models import Decision, PayItem, PayrollRun, PersonnelChange, RunStatus
from core_finance.payroll.services import changes, files, runs
from core_finance.payroll.services.slips import payslip_pdf as render_payslip_pdf
from core_finance.views.common import attempt, download, post_only, scoped_form, scoped_get


def needs(*perms):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not all(request.user.has_perm(f"finance_payroll.{p}") for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, template, title, context=None, status=200):
    ctx = {"page_title": title, "header_icon": "user"}
    ctx.update(context or {})
    return render(request, f"finance_payroll/{template}", ctx, status=status)


@needs("add_payrollrun")
def run_new(request):
    form = scoped_form(RunForm(request.POST or None), request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        failed, run = attempt(request, lambda: runs.create(d["agency"], d["period"], d["indicator"], request.user),
                              _("The run is computed."), reverse("finance_payroll:run_new"))
        if not failed:
            return redirect("finance_payroll:run", run.pk)
    return page(request, "form.html", _("New payroll run"), {"form": form, "label": _("Compute the run")})


@needs("view_payrollrun")
def run_detail(request, pk: int):
    run = scoped_get(request, PayrollRun.objects.select_related("agency", "indicator", "created_by"), pk=pk)
    user = request.user
    slips = run.slips.prefetch_related("lines")
    items = list(PayItem.objects.filter(pk__in=run.slips.values("lines__item")).order_by("kind", "position"))
    table = [(s, [next((ln.amount for ln in s.lines.all() if ln.item_id == i.pk), None) for i in items])
             for s in slips]
    return page(request, "run_detail.html", str(run), {
        "run": run, "items": items, "table": table, "payments": runs.current_payments(run),
        "can_prepare": user.has_perm("finance_payroll.add_payrollrun") and run.status == RunStatus.DRAFT,
        "can_decide": user.has_perm("finance_payroll.approve_payrollrun") and run.status == RunStatus.SUBMITTED
        and user.pk not in (run.created_by_id, run.submitted_by_id),
        "comment_form": CommentForm()})


@post_only
@needs("view_payrollrun")
def run_act(request, pk: int, action: str):
    run = scoped_get(request, PayrollRun, pk=pk)
    back = reverse("finance_payroll:run", args=[pk])
    user, comment = request.user, request.POST.get("comment", "")
    actions = {
        "compute": (lambda: runs.compute(run, user), _("The run is recomputed.")),
        "submit": (lambda: runs.submit(run, user), _("Submitted; the amounts are reserved on the indicator.")),
        "approve": (lambda: runs.approve(run, user), _("Approved; the vouchers are issued.")),
        "reject": (lambda: runs.reject(run, user, comment), _("Returned; the reserved amounts are released.")),
    }
    if action not in actions:
        raise Http404
    failed, _r = attempt(request, actions[action][0], actions[action][1], back)
    return failed or redirect(back)


@needs("view_payrollrun")
def run_file(request, pk: int):
    run = scoped_get(request, PayrollRun, pk=pk)
    back = reverse("finance_payroll:run", args=[pk])
    failed, result = attempt(request, lambda: files.bank_file(run, request.user), _("Bank file exported."), back)
    return failed or download(result[1], result[0], "text/csv; charset=utf-8")


@needs("add_personnelchange")
def change_new(request):
    form = scoped_form(ChangeForm(request.POST or None, initial={"kind": request.GET.get("kind", "hire")}),
                       request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        failed, change = attempt(request, lambda: changes.request(
            d["agency"], d["kind"], request.user, effective_from=d["effective_from"], reason=d["reason"],
            staff=d["staff"], data=form.person(), amounts=form.amounts()),
            _("Requested; the personnel office decides."), reverse("finance_payroll:change_new"))
        if not failed:
            return redirect("finance_payroll:change", change.pk)
    return page(request, "form.html", _("Request a personnel change"), {"form": form, "label": _("Request")})


@needs("view_personnelchange")
def change_detail(request, pk: int):
    change = scoped_get(request, PersonnelChange.objects.select_related("agency", "staff", "created_by"), pk=pk)
    can_decide = (change.status == Decision.PENDING and change.created_by_id != request.user.pk
                  and request.user.has_perm("finance_payroll.approve_personnelchange"))
    return page(request, "change_detail.html", str(change), {"change": change, "can_decide": can_decide,
                                                             "comment_form": CommentForm()})


@post_only
@needs("approve_personnelchange")
def change_decide(request, pk: int):
    change = scoped_get(request, PersonnelChange, pk=pk)
    back = reverse("finance_payroll:change", args=[pk])
    approve = request.POST.get("decision") == "approve"
    failed, _c = attempt(request, lambda: changes.decide(change, request.user, approve, request.POST.get(
        "comment", "")), _("Approved.") if approve else _("Rejected."), back)
    return failed or redirect(back)


def my_payslips(request):
    """Everyone's own payslips (payroll officers: everyone's)."""
    slips = files.visible_slips(request.user).order_by("-run__period", "name")[:200]
    return page(request, "payslips.html", _("Payslips"), {"slips": slips})


def payslip(request, pk: int):
    slip = files.visible_slips(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404  # someone else's payslip does not exist as far as this user can tell
    return render(request, "finance_payroll/payslip.html", {"slip": slip, "lines": slip.lines.all(),
                                                            "page_title": _("Payslip")})


def payslip_pdf(request, pk: int):
    slip = files.visible_slips(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404  # as for the screen: someone else's payslip does not exist for this user
    back = reverse("finance_payroll:payslip", args=[pk])
    failed, result = attempt(request, lambda: render_payslip_pdf(slip, request.user), _("Payslip downloaded."), back)
    return failed or download(result[1], result[0], "application/pdf")


def urls():
    from django.urls import path

    return [
        path("runs/new/", run_new, name="run_new"),
        path("runs/<int:pk>/", run_detail, name="run"),
        path("runs/<int:pk>/bank-file/", run_file, name="run_file"),
        path("runs/<int:pk>/<str:action>/", run_act, name="run_act"),
        path("changes/new/", change_new, name="change_new"),
        path("changes/<int:pk>/", change_detail, name="change"),
        path("changes/<int:pk>/decide/", change_decide, name="change_decide"),
        path("payslips/", my_payslips, name="payslips"),
        path("payslips/<int:pk>/", payslip, name="payslip"),
        path("payslips/<int:pk>/pdf/", payslip_pdf, name="payslip_pdf"),
    ]
