"""Special funds: register a fund on its allocation, trace it to the payments, monitor it.

The trace follows ``Indicator.source`` (every transfer keeps its source), then each payment
application of those indicators, its voucher, the bank's payment and the day's clearing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.errors import refuse
from core_finance.models import ClearingRecord, Indicator, MonitorHit, PaymentApplication, PaymentStatus
from core_finance.models.payments import EXECUTED_STATUSES
from core_finance.money import ZERO
from core_finance.services import scope
from core_finance.services.base import clean_text
from core_finance.services.sheets import to_xlsx

from ..models import SpecialFund


def register(*, code: str, name: str, year: int, allocations, user, purpose: str = "") -> SpecialFund:
    """Mark top indicators as one special fund (专项资金)."""
    if user is None or not user.has_perm("finance_divisions.add_specialfund"):
        raise refuse("permission", action=_("register special funds"))
    code = clean_text(code, _("fund code"), 30)
    name = clean_text(name, _("fund name"), 200)
    allocations = list(allocations)
    if not allocations:
        raise refuse("field_required", field=_("allocation indicators"))
    for ind in allocations:
        scope.require_agency(user, ind.agency)
        if ind.year != int(year):
            raise refuse("year_mismatch", what=str(ind.number), other=ind.year, year=year)
    with transaction.atomic():
        if SpecialFund.objects.filter(code=code).exists():
            raise refuse("state", document=code, state=_("already registered"), action=pgettext("special funds", "register"))
        fund = SpecialFund.objects.create(code=code, name=name, year=year, purpose=purpose, created_by=user,
                                          division=allocations[0].agency.division or scope.division_of(user))
        fund.allocations.set(allocations)
        record("finance.special_fund.register", fund,
               after={"code": code, "name": name, "allocations": [i.number for i in allocations]}, actor=user)
    return fund


def visible_funds(user):
    """Funds with at least one indicator the user may see (a township sees the funds that reach it)."""
    ids = [f.pk for f in SpecialFund.objects.prefetch_related("allocations") if _visible_indicators(f, user)]
    return SpecialFund.objects.filter(pk__in=ids).select_related("division")


def indicator_ids(fund: SpecialFund) -> list[int]:
    """The allocations and every indicator distributed from them, however deep."""
    ids = list(fund.allocations.values_list("pk", flat=True))
    frontier = list(ids)
    while frontier:
        frontier = list(Indicator.objects.filter(source_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _visible_indicators(fund, user):
    return scope.for_user(Indicator.objects.filter(pk__in=indicator_ids(fund)), user)


@dataclass
class Node:
    indicator: Indicator
    depth: int
    payments: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def indent(self) -> str:
        return "\u3000" * (self.depth - 1) + "└ " if self.depth else ""


def trace(fund: SpecialFund, user) -> list[Node]:
    """The fund as a tree of indicators (depth-first), each with its payments, vouchers and clearing.

    Indicators the user may not see are left out; their visible descendants still appear."""
    visible = {i.pk: i for i in _visible_indicators(fund, user).select_related("agency__division", "dept_econ")}
    pays = PaymentApplication.objects.filter(indicator_id__in=visible).select_related("voucher__bank_file").order_by(
        "created_at")
    by_indicator: dict[int, list] = {}
    for app in pays:
        by_indicator.setdefault(app.indicator_id, []).append(app)
    _attach_clearing([a for rows in by_indicator.values() for a in rows])
    nodes: list[Node] = []

    def walk(pk, depth):
        if pk in visible:
            nodes.append(Node(visible[pk], depth, by_indicator.get(pk, [])))
            depth += 1
        for child in Indicator.objects.filter(source_id=pk).order_by("number").values_list("pk", flat=True):
            walk(child, depth)

    for top in fund.allocations.order_by("number").values_list("pk", flat=True):
        walk(top, 0)
    return nodes


def _attach_clearing(apps) -> None:
    keys = set()
    for app in apps:
        voucher = getattr(app, "voucher", None)
        if voucher is not None and voucher.paid_on:
            keys.add((voucher.paid_on, voucher.bank, voucher.account_type))
    records = {}
    if keys:
        for rec in ClearingRecord.objects.filter(date__in={k[0] for k in keys}):
            records[(rec.date, rec.bank, rec.account_type)] = rec
    for app in apps:
        voucher = getattr(app, "voucher", None)
        app.clearing = records.get((voucher.paid_on, voucher.bank, voucher.account_type)) if voucher is not None \
            and voucher.paid_on else None


def monitor(fund: SpecialFund, user) -> dict:
    """The monitoring figures: allocated, distributed, executed, paid, idle and its rate, flagged payments."""
    visible = _visible_indicators(fund, user)
    tops = visible.filter(pk__in=fund.allocations.values("pk"))
    allocated = tops.aggregate(s=Sum("amount"))["s"] or ZERO
    distributed = visible.exclude(pk__in=fund.allocations.values("pk")).filter(
        source_id__in=indicator_ids(fund)).aggregate(s=Sum("amount"))["s"] or ZERO
    budget = visible.aggregate(s=Sum("budget"))["s"] or ZERO
    pays = PaymentApplication.objects.filter(indicator__in=visible)
    executed = pays.filter(status__in=EXECUTED_STATUSES).aggregate(s=Sum(F("amount") - F("refunded")))["s"] or ZERO
    paid = pays.filter(status=PaymentStatus.PAID).aggregate(s=Sum(F("amount") - F("refunded")))["s"] or ZERO
    # Idle money (沉淀资金): what reached the fund's indicators and is not spent.
    total = allocated if tops.exists() else budget
    idle = max(total - executed, ZERO)
    hits = MonitorHit.objects.filter(application__in=pays).select_related("rule", "application__agency").order_by(
        "-created_at")
    return {"allocated": allocated, "distributed": distributed, "executed": executed, "paid": paid,
            "idle": idle, "idle_rate": (idle * 100 / total).quantize(Decimal("0.1")) if total else None,
            "hits": list(hits), "pending": pays.filter(status=PaymentStatus.RESERVED).count()}


def to_excel(fund: SpecialFund, user) -> bytes:
    figures = monitor(fund, user)
    summary = [[_("allocated"), figures["allocated"]], [_("distributed"), figures["distributed"]],
               [_("executed"), figures["executed"]], [_("paid"), figures["paid"]], [_("idle"), figures["idle"]],
               [_("idle rate (%)"), figures["idle_rate"] if figures["idle_rate"] is not None else ""]]
    rows = []
    for node in trace(fund, user):
        ind = node.indicator
        base = [ind.number, ind.source.number if ind.source_id else "", ind.agency.division.name if
                ind.agency.division_id else "", ind.agency.name, ind.amount, ind.budget, ind.balance]
        if not node.payments:
            rows.append([*base, "", "", "", "", "", "", ""])
        for app in node.payments:
            voucher = getattr(app, "voucher", None)
            rows.append([*base, app.number, app.payee_name, app.amount, app.get_status_display(),
                         voucher.number if voucher else "", voucher.paid_on if voucher and voucher.paid_on else "",
                         _("reconciled") if app.clearing and app.clearing.reconciled else ""])
    headings = [_("indicator"), _("source indicator"), _("division"), _("agency"), _("issued"), _("budget"),
                _("balance"), _("payment application"), _("payee"), _("amount"), _("status"), _("voucher"),
                _("paid on"), _("clearing")]
    flagged = [[h.application.number, h.application.agency.name, h.rule.name, h.get_level_display(), h.message]
               for h in figures["hits"]]
    return to_xlsx([(_("Special fund %(code)s") % {"code": fund.code}, [_("figure"), _("amount")], summary),
                    (_("Trace"), headings, rows),
                    (_("Flagged payments"), [_("payment application"), _("agency"), _("rule"), _("level"),
                                             _("message")], flagged)])
