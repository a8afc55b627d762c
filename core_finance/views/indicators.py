"""Indicator screens: balance with its derivation, transaction history, adjustments, freezes, plans."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.conf import payment_plans_enabled
from core_finance.forms import AdjustmentForm, FreezeForm, PlanForm, ReviewForm
from core_finance.models import DecisionStatus, Indicator, IndicatorAdjustment, PaymentPlan
from core_finance.services import indicators, payments, scope
from core_finance.views.common import attempt, needs, page, post_only, scoped_form, scoped_get


@needs("view_indicator")
def detail(request, pk: int):
    ind = scoped_get(request, Indicator.objects.select_related("agency", "functional", "dept_econ", "gov_econ",
                                                             "funding", "source", "budget_line__version"), pk=pk)
    user = request.user
    return page(request, "indicator_detail.html", f"{_('indicator')} {ind.number}", {
        "ind": ind, "figures": indicators.breakdown(ind),
        "transactions": ind.transactions.select_related("created_by", "payment", "counterpart", "adjustment"),
        "adjustments": ind.adjustments.select_related("created_by", "decided_by"),
        "children": scope.for_user(ind.children.all(), user), "plans": ind.plans.all(), "plans_enabled": payment_plans_enabled(),
        "adjust_form": scoped_form(AdjustmentForm(indicator=ind), user) if user.has_perm("core_finance.adjust_indicator") else None,
        "freeze_form": FreezeForm() if user.has_perm("core_finance.freeze_indicator") else None,
        "plan_form": PlanForm() if user.has_perm("core_finance.add_paymentplan") else None,
        "can_approve_plans": user.has_perm("core_finance.approve_paymentplan"),
    })


@needs("view_indicator")
def balance_json(request, pk: int):
    """For the payment form's live check (the service checks again when the form is sent)."""
    ind = scoped_get(request, Indicator, pk=pk)
    data = {"number": ind.number, "balance": f"{ind.balance:.2f}", "plans": {}}
    if payment_plans_enabled():
        for plan in ind.plans.filter(status=DecisionStatus.APPROVED):
            data["plans"][str(plan.month)] = f"{plan.available:.2f}"
    data["plans_enabled"] = payment_plans_enabled()
    return JsonResponse(data)


@post_only
@needs("adjust_indicator")
def adjust(request, pk: int):
    ind = scoped_get(request, Indicator, pk=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    form = scoped_form(AdjustmentForm(request.POST, indicator=ind), request.user)
    if not form.is_valid():
        return detail(request, pk)
    d = form.cleaned_data
    failed, _adj = attempt(request, lambda: indicators.request_adjustment(
        d["kind"], ind, d["amount"], d["doc_number"], request.user, reason=d["reason"], target=d["target"],
        target_agency=d["target_agency"], target_functional=d["target_functional"] or None,
        target_dept_econ=d["target_dept_econ"] or None), _("Adjustment requested."), back)
    return failed or redirect(back)


@post_only
@needs("freeze_indicator")
def freeze(request, pk: int):
    ind = scoped_get(request, Indicator, pk=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    form = FreezeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        failed, _tx = attempt(request, lambda: indicators.freeze(ind, d["amount"], request.user, d["doc_number"],
                                                                 unfreeze=d["unfreeze"]), _("Done."), back)
        return failed or redirect(back)
    return redirect(back)


@post_only
@needs("add_paymentplan")
def add_plan(request, pk: int):
    ind = scoped_get(request, Indicator, pk=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    form = PlanForm(request.POST)
    if form.is_valid():
        failed, _plan = attempt(request, lambda: payments.create_plan(ind, form.cleaned_data["month"],
                                                                      form.cleaned_data["amount"], request.user),
                                _("Payment plan created."), back)
        return failed or redirect(back)
    return redirect(back)


@post_only
@needs("add_paymentplan")
def annual_plan(request, pk: int):
    ind = scoped_get(request, Indicator, pk=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    failed, _plans = attempt(request, lambda: payments.create_annual_plan(ind, request.user),
                             _("Payment plan created."), back)
    return failed or redirect(back)


@post_only
@needs("approve_paymentplan")
def approve_plans(request, pk: int):
    ind = scoped_get(request, Indicator, pk=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    failed, _n = attempt(request, lambda: payments.approve_plans(ind, request.user), _("Decision recorded."), back)
    return failed or redirect(back)


@post_only
@needs("approve_paymentplan")
def decide_plan(request, pk: int, plan_pk: int):
    plan = scoped_get(request, PaymentPlan, pk=plan_pk, indicator_id=pk)
    back = reverse("core_finance:indicator_detail", args=[pk])
    approve = request.POST.get("decision") == "approve"
    failed, _plan = attempt(request, lambda: payments.approve_plan(plan, request.user, approve),
                            _("Decision recorded."), back)
    return failed or redirect(back)


@needs("view_indicatoradjustment")
def adjustment_detail(request, pk: int):
    adj = scoped_get(request, IndicatorAdjustment.objects.select_related("indicator", "target", "created_by"), pk=pk)
    can_decide = adj.status == DecisionStatus.PENDING and request.user.has_perm(
        "core_finance.approve_indicatoradjustment") and adj.created_by_id != request.user.pk
    return page(request, "adjustment_detail.html", str(adj), {"adj": adj, "can_decide": can_decide,
                                                               "form": ReviewForm()})


@post_only
@needs("approve_indicatoradjustment")
def decide_adjustment(request, pk: int):
    adj = scoped_get(request, IndicatorAdjustment, pk=pk)
    back = reverse("core_finance:adjustment_detail", args=[pk])
    approve = request.POST.get("decision") == "approve"
    failed, _adj = attempt(request, lambda: indicators.decide_adjustment(adj, request.user, approve,
                                                                         request.POST.get("comment", "")),
                           _("Decision recorded."), back)
    return failed or redirect(back)
