"""Debt screens: the dashboard (alerts, ratios, instruments), an instrument with its schedule."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core_finance.charts import bar_chart
from core_finance.debt import services
from core_finance.debt.forms import CapacityForm, InstrumentForm, RepaymentForm
from core_finance.debt.models import DebtInstrument, LineStatus, ScheduleLine
from core_finance.services import scope
from core_finance.services.base import today
from core_finance.views.common import attempt, post_only


def needs(codename):
    """The permission, and the home division: debt is a treasury-level module (another division's
    staff get a 404, as for the treasury's other installation-wide screens)."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(f"finance_debt.{codename}"):
                raise PermissionDenied
            scope.require_home(request.user)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _page(request, template, title, context):
    return render(request, f"finance_debt/{template}", {"page_title": title, "header_icon": "table", **context})


@needs("view_debtinstrument")
def dashboard(request):
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today().year
    services.release_failed()
    summary = services.summary()
    chart = bar_chart(_("Outstanding debt by kind"), summary["by_kind"], unit=_("yuan"), chart_id="debt-kind")
    instruments = DebtInstrument.objects.all()
    return _page(request, "dashboard.html", _("Government debt"), {
        "alerts": services.open_alerts(), "upcoming": services.upcoming(), "r": services.ratios(year),
        "chart": mark_safe(chart),  # noqa: S308  built from escaped parts
        "instruments": instruments, "capacity_form": CapacityForm(initial={"year": year}),
        "can_add": request.user.has_perm("finance_debt.add_debtinstrument"),
        "can_enter": request.user.has_perm("finance_debt.enter_fiscalcapacity"), "year": year})


@needs("add_debtinstrument")
def create(request):
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        back, inst = attempt(request, lambda: services.create_instrument(user=request.user, **form.cleaned_data),
                             _("The instrument was registered and its schedule generated."), request.path)
        return back or redirect("finance_debt:instrument", inst.pk)
    return _page(request, "form.html", _("Register a bond or loan"), {"form": form, "label": pgettext("debt", "Register")})


@needs("view_debtinstrument")
def instrument(request, pk):
    inst = get_object_or_404(DebtInstrument, pk=pk)
    lines = list(inst.lines.prefetch_related("repayments__principal_payment", "repayments__interest_payment"))
    for line in lines:  # one form per line, each with its own field ids
        if line.status != LineStatus.PAID:
            line.form = RepaymentForm(auto_id=f"id_line{line.pk}_%s", user=request.user, line=line)
    return _page(request, "instrument.html", str(inst), {
        "inst": inst, "lines": lines, "can_repay":
        request.user.has_perm("finance_debt.repay_debtinstrument"), "paid": LineStatus.PAID,
        "total_principal": sum(x.principal for x in lines), "total_interest": sum(x.interest for x in lines)})


@post_only
@needs("repay_debtinstrument")
def repay(request, pk):
    line = get_object_or_404(ScheduleLine, pk=pk)
    back = redirect("finance_debt:instrument", line.instrument_id).url
    form = RepaymentForm(request.POST, user=request.user, line=line)
    if not form.is_valid():
        from django.contrib import messages

        messages.error(request, _("Check the repayment form: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(back)
    d = form.cleaned_data
    done, _rep = attempt(request, lambda: services.record_repayment(
        line, user=request.user, source=d["source"], principal_indicator=d.get("principal_indicator"),
        interest_indicator=d.get("interest_indicator"), paid_on=d["paid_on"], reference=d["reference"]),
        _("The repayment was recorded."), back)
    return done or redirect(back)


@post_only
@needs("enter_fiscalcapacity")
def capacity(request):
    form = CapacityForm(request.POST)
    back = redirect("finance_debt:dashboard").url
    if form.is_valid():
        d = form.cleaned_data
        done, _row = attempt(request, lambda: services.enter_capacity(d["year"], d["capacity"], request.user,
                                                                     d["note"]),
                             _("The fiscal capacity was saved."), back)
        return done or redirect(f"{back}?year={d['year']}")
    from django.contrib import messages

    messages.error(request, _("Check the fiscal capacity form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(back)
