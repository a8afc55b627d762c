"""Asset screens: the register, a card, registration, requests and approvals, the annual report."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core_finance.assets import services
from core_finance.assets.forms import CardForm, ChangeForm, DecideForm, EditForm, FilterForm
from core_finance.assets.models import AssetCard, AssetChange, CardStatus, ChangeStatus
from core_finance.charts import bar_chart
from core_finance.services import scope
from core_finance.services.base import today
from core_finance.views.common import XLSX, attempt, download, post_only, scoped_form, scoped_get


def needs(codename):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(f"finance_assets.{codename}"):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _page(request, template, title, context):
    return render(request, f"finance_assets/{template}", {"page_title": title, "header_icon": "table", **context})


@needs("view_assetcard")
def register(request):
    user = request.user
    form = scoped_form(FilterForm(request.GET or None), user)
    cards = form.apply(scope.for_user(AssetCard.objects.select_related("category", "agency"), user))[:500]
    on = today()
    for card in cards:
        card.net = services.net_value(card, on)
    return _page(request, "register.html", _("Asset register"), {
        "form": form, "cards": cards, "pending": scope.for_user(AssetChange.objects.filter(
            status=ChangeStatus.PENDING).select_related("card", "from_agency", "to_agency"), user),
        "can_add": user.has_perm(
            "finance_assets.add_assetcard"), "year": on.year})


@needs("add_assetcard")
def create(request):
    form = scoped_form(CardForm(request.POST or None), request.user)
    if request.method == "POST" and form.is_valid():
        back, card = attempt(request, lambda: services.register(user=request.user, **form.cleaned_data),
                             _("The asset was registered."), request.path)
        return back or redirect("finance_assets:card", card.pk)
    return _page(request, "form.html", _("Register an asset"), {"form": form, "label": pgettext("assets", "Register")})


@needs("view_assetcard")
def card(request, pk):
    card = scoped_get(request, AssetCard.objects.select_related("category", "agency", "payment"), pk=pk)
    on = today()
    years = range(card.acquired_on.year, on.year + 1)
    schedule = [(y, services.accumulated(card, y, 12) - services.accumulated(card, y - 1, 12),
                 services.accumulated(card, y, 12)) for y in years]
    user = request.user
    editable = card.status == CardStatus.IN_USE
    return _page(request, "card.html", str(card), {
        "card": card, "schedule": schedule, "net": services.net_value(card, on),
        "monthly": services.monthly_base(card.original_value, card.useful_life_months),
        "changes": card.changes.select_related("from_agency", "to_agency", "created_by", "decided_by"),
        "edit_form": EditForm(initial={"location": card.location, "custodian": card.custodian}) if editable and user.has_perm("finance_assets.change_assetcard")
        else None, "change_form": scoped_form(ChangeForm(), user) if editable and user.has_perm("finance_assets.add_assetchange")
        else None, "decide_form": DecideForm() if user.has_perm("finance_assets.approve_assetchange") else None})


@post_only
@needs("change_assetcard")
def edit(request, pk):
    card = scoped_get(request, AssetCard, pk=pk)
    form = EditForm(request.POST)
    back = redirect("finance_assets:card", pk).url
    if form.is_valid():
        done, _c = attempt(request, lambda: services.update_card(card, request.user, **form.cleaned_data),
                           _("The asset card was updated."), back)
        return done or redirect(back)
    messages.error(request, form.errors.as_text())
    return redirect(back)


@post_only
@needs("add_assetchange")
def request_change(request, pk):
    card = scoped_get(request, AssetCard, pk=pk)
    form = scoped_form(ChangeForm(request.POST), request.user)
    back = redirect("finance_assets:card", pk).url
    if form.is_valid():
        d = form.cleaned_data
        done, _c = attempt(request, lambda: services.request_change(
            card, kind=d["kind"], user=request.user, reason=d["reason"], effective_on=d["effective_on"],
            to_agency=d["to_agency"], receiver=d["receiver"], proceeds=d["proceeds"] or "0"),
            _("The request was submitted for approval."), back)
        return done or redirect(back)
    messages.error(request, form.errors.as_text())
    return redirect(back)


@post_only
@needs("approve_assetchange")
def decide(request, pk, action):
    change = scoped_get(request, AssetChange, pk=pk)
    form = DecideForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    back = redirect("finance_assets:card", change.card_id).url
    done, _c = attempt(request, lambda: services.decide_change(change, request.user, action == "approve", comment),
                       _("The decision was recorded."), back)
    return done or redirect(back)


@needs("view_assetcard")
def report(request):
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today().year
    agencies = scope.agency_ids(request.user)
    if request.GET.get("format") == "xlsx":
        return download(services.report_xlsx(year, agency_ids=agencies), f"assets-{year}.xlsx", XLSX)
    rows = services.annual_report(year, agency_ids=agencies)
    chart = bar_chart(_("Net asset value by agency, %(year)s") % {"year": year},
                      [(r["agency"].name, r["net"]) for r in rows], chart_id="asset-net")
    totals = {k: sum((r[k] for r in rows), 0) for k in ("opening", "additions", "reductions", "closing",
                                                         "depreciation", "accumulated", "net", "count")}
    return _page(request, "report.html", _("Annual asset report %(year)s") % {"year": year}, {
        "rows": rows, "totals": totals, "year": year, "chart": mark_safe(chart)})  # noqa: S308
