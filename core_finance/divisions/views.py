"""Screens: the county supervision dashboard with drill-down, and special fund monitoring."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core_finance.services import scope
from core_finance.views.common import XLSX, attempt, download, needs

from .forms import FundForm
from .services import funds, supervision


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _page(request, template, title, context, status=200):
    ctx = {"page_title": title, "header_icon": "table", **context}
    return render(request, f"finance_divisions/{template}", ctx, status=status)


@needs("view_indicator", "view_paymentapplication")
def dashboard(request):
    year = _year(request)
    rows = supervision.overview(year, request.user)
    if request.GET.get("format") == "xlsx":
        return download(supervision.to_excel(rows, year), f"supervision-{year}.xlsx", XLSX)
    return _page(request, "dashboard.html", _("County supervision"), {
        "rows": rows, "year": year, "awaiting": supervision.awaiting_review(year, request.user),
        "division": scope.division_of(request.user)})


@needs("view_indicator", "view_paymentapplication")
def division(request, pk: int):
    year = _year(request)
    item = get_object_or_404(supervision.visible_divisions(request.user), pk=pk)
    return _page(request, "division.html", str(item), {"item": item, "year": year,
                                                        **supervision.division_detail(item, year, request.user)})


def _can_view_funds(user) -> bool:
    return user.has_perm("finance_divisions.view_specialfund")


def fund_list(request):
    if not _can_view_funds(request.user):
        raise PermissionDenied
    can_add = request.user.has_perm("finance_divisions.add_specialfund")
    form = scope.narrow_form(FundForm(request.POST or None), request.user) if can_add else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        failed, fund = attempt(request, lambda: funds.register(
            code=d["code"], name=d["name"], year=d["year"], allocations=d["allocations"], purpose=d["purpose"],
            user=request.user), _("Special fund registered."), request.path)
        return failed or redirect("finance_divisions:fund", fund.pk)
    return _page(request, "funds.html", _("Special funds"), {"funds": funds.visible_funds(request.user),
                                                             "form": form})


def fund_detail(request, pk: int):
    if not _can_view_funds(request.user):
        raise PermissionDenied
    fund = get_object_or_404(funds.visible_funds(request.user), pk=pk)
    if request.GET.get("format") == "xlsx":
        return download(funds.to_excel(fund, request.user), f"special-fund-{fund.code}.xlsx", XLSX)
    return _page(request, "fund.html", str(fund), {"fund": fund, "m": funds.monitor(fund, request.user),
                                                    "nodes": funds.trace(fund, request.user)})
