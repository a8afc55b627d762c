"""Daily reconciliation of non-tax revenue: per day, collected − refunded = remitted + the change
in what is pending (collected, not yet remitted). The pending balance at each day's close is also
computed independently, notice by notice; a day whose flows disagree with it is flagged.

``agency_ids`` (None: all) narrows every figure to those collecting agencies — the screens pass
the agencies of the user's divisions (services/scope.py). Remitted money is counted notice by
notice (paid less refunded), which for all agencies equals the approved batches' totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from core_finance.money import CENT, ZERO
from core_finance.nontax.models import PaymentNotice, Refund, RemittanceBatch, Settlement
from core_finance.services.sheets import to_xlsx


@dataclass
class Day:
    day: date
    collected: Decimal
    refunded: Decimal
    remitted: Decimal
    pending: Decimal  # at close, from the flows
    pending_check: Decimal  # at close, notice by notice

    @property
    def pending_change(self):
        return self.collected - self.refunded - self.remitted

    @property
    def balanced(self) -> bool:
        return self.pending == self.pending_check


def _by_day(qs, field, amount) -> dict:
    # SQLite sums decimals with extra places; keep amounts to the fen.
    return {r[field]: r["s"].quantize(CENT) for r in qs.values(field).annotate(s=Sum(amount)).order_by()}


def _narrow(qs, prefix: str, agency_ids):
    return qs if agency_ids is None else qs.filter(**{f"{prefix}item__agency_id__in": agency_ids})


def _querysets(agency_ids):
    settlements = _narrow(Settlement.objects.all(), "notice__", agency_ids)
    refunds = _narrow(Refund.objects.filter(status=Refund.Status.APPROVED), "notice__", agency_ids)
    remitted = _narrow(PaymentNotice.objects.filter(remittance__status=RemittanceBatch.Status.APPROVED), "",
                       agency_ids)
    return settlements, refunds, remitted


REMITTED = F("settlement__total") - F("refunded")


def daily(start: date, end: date, agency_ids=None) -> list[Day]:
    settlements, refunds, remitted_notices = _querysets(agency_ids)
    collected = _by_day(settlements, "paid_on", "total")
    refunded = _by_day(refunds, "decided_on", "amount")
    remitted = _by_day(remitted_notices, "remittance__date", REMITTED)
    opening = _pending_flows(start - timedelta(days=1), agency_ids)
    pending_at = _pending_by_notice(start, end, agency_ids)
    out, day, pending = [], start, opening
    while day <= end:
        c, r, m = collected.get(day, ZERO), refunded.get(day, ZERO), remitted.get(day, ZERO)
        pending += c - r - m
        out.append(Day(day, c, r, m, pending, pending_at[day]))
        day += timedelta(days=1)
    return out


def _pending_flows(until: date, agency_ids=None) -> Decimal:
    settlements, refunds, remitted = _querysets(agency_ids)
    c = settlements.filter(paid_on__lte=until).aggregate(s=Sum("total"))["s"] or ZERO
    r = refunds.filter(decided_on__lte=until).aggregate(s=Sum("amount"))["s"] or ZERO
    m = remitted.filter(remittance__date__lte=until).aggregate(s=Sum(REMITTED))["s"] or ZERO
    return (c - r - m).quantize(CENT)


def _pending_by_notice(start: date, end: date, agency_ids=None) -> dict:
    """Per day: Σ over notices paid by then and not remitted by then of (paid − refunds by then)."""
    settlements, refund_qs, _remitted = _querysets(agency_ids)
    refunds = defaultdict(list)
    for notice_id, on, amount in refund_qs.values_list("notice_id", "decided_on", "amount"):
        refunds[notice_id].append((on, amount))
    notices = list(settlements.filter(paid_on__lte=end).values_list(
        "notice_id", "paid_on", "total", "notice__remittance__status", "notice__remittance__date"))
    out, day = {}, start
    while day <= end:
        total = ZERO
        for notice_id, paid_on, paid, status, remitted_on in notices:
            if paid_on > day or (status == RemittanceBatch.Status.APPROVED and remitted_on <= day):
                continue
            total += paid - sum((a for on, a in refunds[notice_id] if on <= day), ZERO)
        out[day] = total
        day += timedelta(days=1)
    return out


def to_excel(days: list[Day]) -> bytes:
    headings = [_("date"), _("collected"), _("refunded"), _("remitted"), _("change in pending"),
                _("pending at close"), _("pending, notice by notice"), _("balanced")]
    rows = [[d.day.isoformat(), d.collected, d.refunded, d.remitted, d.pending_change, d.pending, d.pending_check,
             _("yes") if d.balanced else _("no")] for d in days]
    return to_xlsx([(_("Daily reconciliation"), headings, rows)])
