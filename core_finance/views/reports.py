"""Budget execution reports with drill-down, charts, Excel export, and the leaders' summary."""

from __future__ import annotations

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core_finance.charts import bar_chart
from core_finance.forms import ReportForm
from core_finance.services import reports, scope
from core_finance.views.common import XLSX, download, needs, page


def _params(request):
    form = ReportForm(request.GET or None, initial={"year": timezone.localdate().year, "dimension": "agency"})
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        return form, d["year"], d["dimension"], int(d["level"]) if d["level"] else None
    return ReportForm(initial={"year": timezone.localdate().year, "dimension": "agency"}), \
        timezone.localdate().year, "agency", None


@needs("view_indicator", "view_paymentapplication")
def execution(request):
    form, year, dimension, level = _params(request)
    report = reports.execution(year, dimension, level, agency_ids=scope.agency_ids(request.user))
    chart = bar_chart(_("Executed by %(by)s, %(year)s") % {"by": reports.DIMENSIONS[dimension], "year": year},
                      [(f"{r.key} {r.name}", r.executed) for r in report["rows"][:20]], chart_id="cf-exec")
    monthly = bar_chart(_("Executed by month, %(year)s") % {"year": year}, reports.monthly_totals(report),
                        chart_id="cf-month")
    if request.GET.get("format") == "xlsx":
        return download(reports.to_excel(report), f"execution-{year}-{dimension}.xlsx", XLSX)
    return page(request, "execution.html", _("Budget execution"), {
        "form": form, "report": report, "chart": mark_safe(chart), "monthly": mark_safe(monthly),  # noqa: S308
        "months": range(1, 13), "query": request.GET.urlencode(),
    })


@needs("view_paymentvoucher")
def drill(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    dimension, key = request.GET.get("dimension", "agency"), request.GET.get("key", "")[:20]
    month = int(request.GET["month"]) if request.GET.get("month", "").isdigit() else None
    vouchers = reports.drill_down(year, dimension, key, month, agency_ids=scope.agency_ids(request.user))
    total = sum((v.amount - v.application.refunded for v in vouchers), 0)
    return page(request, "drill.html", _("Vouchers behind the figure"), {
        "vouchers": vouchers, "total": total, "key": key, "month": month, "year": year})


@needs("view_indicator", "view_paymentapplication")
def leaders(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    summary = reports.leader_summary(year, agency_ids=scope.agency_ids(request.user))
    chart = bar_chart(_("Executed by month, %(year)s") % {"year": year},
                      [(_("month %(m)s") % {"m": m["month"]}, m["amount"]) for m in summary["monthly"]],
                      chart_id="cf-lead")
    return page(request, "leaders.html", _("Decision support: budget execution %(year)s") % {"year": year},
                {"s": summary, "chart": mark_safe(chart)})  # noqa: S308  built from escaped parts
