"""Revenue screens: the leaders' dashboard (progress, year on year, forecast, charts), the import."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core_finance.charts import bar_chart
from core_finance.forms import UploadForm
from core_finance.revenue import portal, services
from core_finance.revenue.models import ImportBatch, RevenuePublication
from core_finance.services import scope
from core_finance.services.base import today
from core_finance.views.common import XLSX, attempt, download, post_only, row_errors


def needs(codename):
    """The permission, and the home division: the revenue database is a treasury-level module
    (another division's staff get a 404, as for the treasury's other installation-wide screens)."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(f"finance_revenue.{codename}"):
                raise PermissionDenied
            scope.require_home(request.user)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _as_of(request) -> dt.date:
    try:
        return min(dt.date.fromisoformat(request.GET.get("as_of", "")), today())
    except ValueError:
        return today()


@needs("view_revenuerecord")
def dashboard(request):
    as_of = _as_of(request)
    year = as_of.year
    if request.GET.get("format") == "xlsx":
        return download(services.export_xlsx(year, as_of), f"revenue-{as_of.isoformat()}.xlsx", XLSX)
    p, f = services.progress(year, as_of), services.forecast(year, as_of)
    this, last = services.monthly(year, as_of), services.monthly(year - 1)
    month = _("month %(m)s")
    charts = [
        bar_chart(_("Budget progress by revenue code (%%), as of %(date)s") % {"date": as_of.isoformat()},
                  [(r["code"].name, r["rate"] or 0) for r in p["rows"] if r["budget"]], unit="%", chart_id="rev-rate"),
        bar_chart(_("Revenue by month, %(year)s") % {"year": year},
                  [(month % {"m": m}, v) for m, v in enumerate(this, start=1) if m <= as_of.month],
                  chart_id="rev-this"),
        bar_chart(_("Revenue by month, %(year)s") % {"year": year - 1},
                  [(month % {"m": m}, v) for m, v in enumerate(last, start=1)], chart_id="rev-last"),
        bar_chart(_("Collected to date by collecting office"), services.offices(year, as_of)[:10],
                  chart_id="rev-office"),
    ]
    return render(request, "finance_revenue/dashboard.html", {
        "page_title": _("Revenue and decision support"), "header_icon": "table", "p": p, "f": f,
        "charts": [mark_safe(c) for c in charts],  # noqa: S308  built from escaped parts
        "as_of": as_of, "can_import": request.user.has_perm("finance_revenue.import_revenuerecord"),
        "can_publish": request.user.has_perm("finance_revenue.publish_revenuefigures"),
        "publications": RevenuePublication.objects.select_related("published_by")[:12]})


@post_only
@needs("publish_revenuefigures")
def publish(request):
    try:
        as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        as_of = today()
    back = f"{redirect('finance_revenue:dashboard').url}?as_of={min(as_of, today()).isoformat()}"
    done, _pub = attempt(request, lambda: portal.publish(as_of, request.user),
                         _("The revenue figures were queued for the portal."), back)
    return done or redirect(back)


@needs("import_revenuerecord")
def upload(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            if f.size > services.MAX_BYTES:
                messages.error(request, str(services.MESSAGES["too_large"]))
                return redirect(request.path)
            data = f.read()
            failed, batch = attempt(request, lambda: services.import_file(data, f.name, request.user),
                                    _("The file was imported."), request.path)
            return failed or redirect("finance_revenue:dashboard")
    return render(request, "finance_revenue/import.html", {
        "page_title": _("Import tax revenue"), "header_icon": "table", "form": UploadForm(),
        "row_errors": row_errors(request), "batches": ImportBatch.objects.select_related("created_by")[:20]})


