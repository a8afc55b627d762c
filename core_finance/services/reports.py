"""Budget execution reports, drill-down to vouchers, charts and the leaders' summary.

The report is two grouped aggregates (budget from indicators, execution from payments, each
one table grouped by the chosen dimension) merged in Python, so it costs about what a plain SQL
aggregate of the same rows costs (bench/finance.py measures the ratio).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core_finance.models import (
    Agency,
    ClassificationCode,
    Indicator,
    MonitorHit,
    PaymentApplication,
    PaymentStatus,
    PaymentVoucher,
)
from core_finance.models.payments import EXECUTED_STATUSES
from core_finance.money import ZERO
from core_finance.services.sheets import to_xlsx

DIMENSIONS = {
    "agency": gettext_lazy("agency"),
    "functional": gettext_lazy("functional classification"),
    "dept_econ": gettext_lazy("economic classification"),
}
# Prefix lengths for grouping codes at a coarser level (类 / 款 / 项).
LEVELS = {"functional": (3, 5, 7), "dept_econ": (3, 5), "agency": (None,)}


@dataclass
class Row:
    key: str
    name: str
    budget: Decimal = ZERO
    months: list = field(default_factory=lambda: [ZERO] * 12)

    @property
    def executed(self) -> Decimal:
        return sum(self.months, ZERO)

    @property
    def rate(self) -> Decimal | None:
        return (self.executed * 100 / self.budget).quantize(Decimal("0.1")) if self.budget else None

    @property
    def balance(self) -> Decimal:
        return self.budget - self.executed


def execution(year: int, dimension: str = "agency", level: int | None = None, agency_ids=None) -> dict:
    """Rows per dimension value: budget, executed per month, total, rate; with a totals row.

    ``agency_ids`` (a division scope, see services/scope.py) limits the rows; None means all."""
    if dimension not in DIMENSIONS:
        dimension = "agency"
    column = f"{dimension}_id"
    indicators = Indicator.objects.filter(year=year)
    pays = PaymentApplication.objects.filter(year=year, status__in=EXECUTED_STATUSES)
    if agency_ids is not None:
        indicators, pays = indicators.filter(agency_id__in=agency_ids), pays.filter(agency_id__in=agency_ids)
    budget = indicators.values_list(column).annotate(total=Sum("budget")).order_by()
    executed = pays.values_list(column, "month").annotate(total=Sum(F("amount") - F("refunded"))).order_by()
    keys = _keys(dimension, level)
    rows: dict[str, Row] = {}

    def row_for(pk) -> Row:
        code, name = keys(pk)
        if code not in rows:
            rows[code] = Row(code, name)
        return rows[code]

    for pk, total in budget:
        row_for(pk).budget += total or ZERO
    for pk, month, total in executed:
        row_for(pk).months[month - 1] += total or ZERO
    ordered = [rows[k] for k in sorted(rows)]
    totals = Row("", _("Total"))
    for row in ordered:
        totals.budget += row.budget
        totals.months = [a + b for a, b in zip(totals.months, row.months, strict=True)]
    return {"year": year, "dimension": dimension, "level": level, "rows": ordered, "total": totals}


def _keys(dimension: str, level: int | None):
    """pk → (grouping code, name), at the requested level of the code hierarchy."""
    if dimension == "agency":
        names = {pk: (code, name) for pk, code, name in Agency.objects.values_list("pk", "code", "name")}
        return lambda pk: names.get(pk, (str(pk), ""))
    codes = dict(ClassificationCode.objects.filter(table=dimension).values_list("pk", "code"))
    lengths = LEVELS[dimension]
    cut = lengths[min(max(level or len(lengths), 1), len(lengths)) - 1]
    wanted = {c[:cut] for c in codes.values()}
    names = dict(ClassificationCode.objects.filter(table=dimension, code__in=wanted).values_list("code", "name"))

    def key(pk):
        code = codes.get(pk, str(pk))[:cut]
        return code, names.get(code, "")

    return key


def drill_down(year: int, dimension: str, key: str, month: int | None = None, agency_ids=None):
    """The vouchers behind one cell of the execution report."""
    qs = PaymentVoucher.objects.filter(application__year=year,
                                       application__status__in=EXECUTED_STATUSES).select_related(
        "application__agency", "application__functional", "application__dept_econ")
    if dimension == "agency":
        qs = qs.filter(application__agency__code=key)
    elif dimension in ("functional", "dept_econ"):
        qs = qs.filter(**{f"application__{dimension}__code__startswith": key})
    if month:
        qs = qs.filter(application__month=month)
    if agency_ids is not None:
        qs = qs.filter(application__agency_id__in=agency_ids)
    return qs.order_by("application__month", "number")


def to_excel(report: dict) -> bytes:
    headings = [str(DIMENSIONS[report["dimension"]]), _("name"), _("budget")]
    headings += [_("month %(m)s") % {"m": m} for m in range(1, 13)] + [_("executed"), _("balance"), _("rate (%)")]
    data = []
    for row in [*report["rows"], report["total"]]:
        data.append([row.key, row.name, row.budget, *row.months, row.executed, row.balance,
                     row.rate if row.rate is not None else ""])
    return to_xlsx([(_("Budget execution %(year)s") % {"year": report["year"]}, headings, data)])


def leader_summary(year: int, agency_ids=None) -> dict:
    """Decision support: the figures a bureau leader asks for first."""
    report = execution(year, "agency", agency_ids=agency_ids)
    total = report["total"]
    by_rate = sorted((r for r in report["rows"] if r.budget), key=lambda r: r.rate)
    hit_rows, pending_rows = MonitorHit.objects.filter(application__year=year), PaymentApplication.objects.filter(
        year=year, status=PaymentStatus.RESERVED)
    if agency_ids is not None:
        hit_rows = hit_rows.filter(application__agency_id__in=agency_ids)
        pending_rows = pending_rows.filter(agency_id__in=agency_ids)
    hits = dict(hit_rows.values_list("level").annotate(n=Count("pk")))
    pending = pending_rows.aggregate(
        n=Count("pk"), s=Sum("amount"))
    monthly = [{"month": m + 1, "amount": total.months[m]} for m in range(12)]
    return {
        "year": year, "budget": total.budget, "executed": total.executed, "rate": total.rate,
        "balance": total.balance, "monthly": monthly,
        "top": sorted(report["rows"], key=lambda r: r.executed, reverse=True)[:5],
        "slowest": by_rate[:5], "hits": hits, "pending_count": pending["n"] or 0,
        "pending_amount": pending["s"] or ZERO,
    }


def monthly_totals(report: dict) -> list[tuple[str, Decimal]]:
    return [(_("month %(m)s") % {"m": m + 1}, report["total"].months[m]) for m in range(12)]


def by_agency_totals(year: int) -> dict:
    rows = defaultdict(lambda: ZERO)
    for agency_id, total in PaymentApplication.objects.filter(year=year, status__in=EXECUTED_STATUSES).values_list(
            "agency_id").annotate(t=Sum(F("amount") - F("refunded"))).order_by():
        rows[agency_id] += total
    return rows
