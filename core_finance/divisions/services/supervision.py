"""The county's view of its townships: budget, issued, executed, paid and balance per division.

Everything is built from the core finance tables through ``core_finance.services.scope``, so a
supervisor sees their division and those below it, and nobody else sees more than their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from core_finance.models import FiscalDivision, Indicator, PaymentApplication, PaymentStatus
from core_finance.models.payments import EXECUTED_STATUSES
from core_finance.money import ZERO
from core_finance.services import scope
from core_finance.services.sheets import to_xlsx


@dataclass
class DivisionRow:
    division: FiscalDivision
    budget: Decimal = ZERO
    issued: Decimal = ZERO
    executed: Decimal = ZERO
    paid: Decimal = ZERO
    balance: Decimal = ZERO
    awaiting: int = 0
    awaiting_review: list = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return (self.executed * 100 / self.budget).quantize(Decimal("0.1")) if self.budget else None


def visible_divisions(user):
    ids = scope.division_ids(user)
    qs = FiscalDivision.objects.select_related("parent")
    return qs if ids is None else qs.filter(pk__in=ids)



def overview(year: int, user) -> list[DivisionRow]:
    """One row per division the user may see."""
    divisions = list(visible_divisions(user))
    home = FiscalDivision.home().pk
    rows = {d.pk: DivisionRow(d) for d in divisions}
    indicators = scope.for_user(Indicator.objects.filter(year=year), user)
    for div, budget, issued, balance in indicators.values_list("agency__division_id").annotate(
            b=Sum("budget"), i=Sum("amount"), bal=Sum("balance")).order_by():
        row = rows.get(div or home)
        if row:
            row.budget += budget or ZERO
            row.issued += issued or ZERO
            row.balance += balance or ZERO
    pays = scope.for_user(PaymentApplication.objects.filter(year=year), user)
    for div, status, total in pays.filter(status__in=EXECUTED_STATUSES).values_list(
            "agency__division_id", "status").annotate(t=Sum(F("amount") - F("refunded"))).order_by():
        row = rows.get(div or home)
        if row:
            row.executed += total or ZERO
            if status == PaymentStatus.PAID:
                row.paid += total or ZERO
    for app in awaiting_review(year, user):
        row = rows.get(app.agency.division_id or home)
        if row:
            row.awaiting += 1
    return [rows[d.pk] for d in divisions]


def awaiting_review(year: int, user) -> list[PaymentApplication]:
    """Township payments at or above their division's threshold, waiting for the county."""
    pays = scope.for_user(PaymentApplication.objects.filter(
        year=year, status=PaymentStatus.RESERVED, agency__division__review_threshold__isnull=False,
        amount__gte=F("agency__division__review_threshold")), user)
    return list(pays.select_related("agency__division").order_by("created_at"))


def division_detail(division: FiscalDivision, year: int, user) -> dict:
    """Drill-down: the division's indicators and payments (the caller has checked visibility)."""
    agencies = scope.for_user(division.agencies.all(), user)
    indicators = Indicator.objects.filter(year=year, agency__in=agencies).select_related(
        "agency", "functional", "dept_econ", "source")
    pays = PaymentApplication.objects.filter(year=year, agency__in=agencies).select_related("agency", "indicator")
    return {"indicators": indicators, "payments": pays.order_by("-created_at")[:200],
            "children": visible_divisions(user).filter(parent=division)}


def to_excel(rows: list[DivisionRow], year: int) -> bytes:
    headings = [_("division"), _("level"), _("budget"), _("issued"), _("executed"), _("paid"), _("balance"),
                _("rate (%)"), _("awaiting county review")]
    data = [[r.division.name, r.division.get_level_display(), r.budget, r.issued, r.executed, r.paid, r.balance,
             r.rate if r.rate is not None else "", r.awaiting] for r in rows]
    return to_xlsx([(_("County supervision %(year)s") % {"year": year}, headings, data)])
