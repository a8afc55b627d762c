"""Asset services: registration (from paid capital payments), straight-line depreciation,
transfers and disposals with approval, and the annual asset report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.audit.services import record, snapshot
from core_finance.assets.categories import CATEGORIES
from core_finance.assets.models import (
    AssetCard,
    AssetCategory,
    AssetChange,
    CardStatus,
    ChangeKind,
    ChangeStatus,
)
from core_finance.errors import FinanceRuleError, refuse
from core_finance.models import Agency, PaymentApplication, PaymentStatus
from core_finance.money import ZERO, to_money
from core_finance.services import scope
from core_finance.services.base import clean_text, next_number, not_creator, today

CENT = Decimal("0.01")
CAPITAL_PREFIX = "310"
FIELDS = ["number", "name", "category_id", "agency_id", "location", "custodian", "original_value", "acquired_on",
          "useful_life_months", "status", "disposed_on"]
MESSAGES = {
    "payment_state": gettext_lazy("[Asset acquisition rule] payment %(number)s is not paid; only a paid payment "
                                  "can acquire assets."),
    "payment_code": gettext_lazy("[Asset acquisition rule] payment %(number)s is on economic code %(code)s, not on a "
                                 "capital code (310)."),
    "payment_agency": gettext_lazy("[Asset acquisition rule] payment %(number)s was made by %(payer)s, not by "
                                   "%(agency)s."),
    "payment_exceeded": gettext_lazy("[Asset acquisition rule] assets of %(total)s yuan would exceed payment "
                                     "%(number)s (%(paid)s yuan net of refunds)."),
    "payment_needed": gettext_lazy("[Asset acquisition rule] an asset acquired this year is registered from its "
                                   "paid capital payment."),
    "disposed": gettext_lazy("[Asset register rule] asset %(number)s is disposed and read-only."),
    "pending": gettext_lazy("[Asset register rule] asset %(number)s already has a request awaiting approval."),
    "target": gettext_lazy("[Asset transfer rule] %(problem)s"),
}


def _refuse(rule: str, **params) -> FinanceRuleError:
    return FinanceRuleError(f"asset_{rule}", str(MESSAGES[rule]) % params)


def _require(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"finance_assets.{codename}"):
        raise refuse("permission", action=action)


def load_categories() -> int:
    made = 0
    for code, name, parent, years in CATEGORIES:
        _obj, created = AssetCategory.objects.get_or_create(code=code, defaults={
            "name": name, "parent": AssetCategory.objects.filter(code=parent).first() if parent else None,
            "useful_life_years": years})
        made += created
    return made


# --- depreciation --------------------------------------------------------------------------------

def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def monthly_base(value: Decimal, life: int) -> Decimal:
    """The monthly charge, rounded down so that the months before the last never exceed the value."""
    return (value / life).quantize(CENT, rounding=ROUND_DOWN) if life else ZERO


def depreciated_months(card: AssetCard, year: int, month: int) -> int:
    """Months charged through (year, month): from the month of acquisition (当月增加当月计提) up to the
    month before disposal (当月减少当月不提), at most the useful life."""
    last = year * 12 + month - 1
    if card.disposed_on:
        last = min(last, _month_index(card.disposed_on) - 1)
    return max(0, min(card.useful_life_months, last - _month_index(card.acquired_on) + 1))


def accumulated(card: AssetCard, year: int, month: int) -> Decimal:
    """Accumulated depreciation at the end of the month: the last month of the life absorbs the rounding,
    so it reaches the original value exactly and never passes it."""
    n, k = card.useful_life_months, depreciated_months(card, year, month)
    if not n or not k:
        return ZERO
    return card.original_value if k >= n else monthly_base(card.original_value, n) * k


def charge(card: AssetCard, year: int, month: int) -> Decimal:
    """The depreciation of one month."""
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    return accumulated(card, year, month) - accumulated(card, *prev)


def net_value(card: AssetCard, on: dt.date | None = None) -> Decimal:
    on = on or today()
    return card.original_value - accumulated(card, on.year, on.month)


# --- registration --------------------------------------------------------------------------------

@transaction.atomic
def register(*, name, category: AssetCategory, agency: Agency, location, custodian, original_value,
             acquired_on: dt.date, user, payment: PaymentApplication | None = None,
             useful_life_months: int | None = None) -> AssetCard:
    """Register an asset. One acquired this year comes from a paid payment on a 310 capital code of
    the same agency; the cards of one payment never add up to more than it paid."""
    _require(user, "add_assetcard", _("register assets"))
    scope.require_agency(user, agency)
    value = to_money(original_value, positive=True)
    if payment is not None:
        payment = PaymentApplication.objects.select_for_update().select_related("dept_econ", "agency").get(
            pk=payment.pk)
        if payment.status != PaymentStatus.PAID:
            raise _refuse("payment_state", number=payment.number)
        if not payment.dept_econ.code.startswith(CAPITAL_PREFIX):
            raise _refuse("payment_code", number=payment.number, code=payment.dept_econ.code)
        if payment.agency_id != agency.pk:
            raise _refuse("payment_agency", number=payment.number, payer=payment.agency.name, agency=agency.name)
        used = payment.asset_cards.aggregate(s=Sum("original_value"))["s"] or ZERO
        if used + value > payment.amount - payment.refunded:
            raise _refuse("payment_exceeded", total=used + value, number=payment.number,
                          paid=payment.amount - payment.refunded)
    elif acquired_on.year >= today().year:
        raise _refuse("payment_needed")
    life = category.useful_life_years * 12 if useful_life_months is None else int(useful_life_months)
    card = AssetCard.objects.create(
        number=next_number(f"ZC{acquired_on.year}"), name=clean_text(name, _("asset name"), 200), category=category,
        agency=agency, location=clean_text(location, _("location"), 200),
        custodian=clean_text(custodian, _("custodian"), 100), original_value=value, acquired_on=acquired_on,
        useful_life_months=life, payment=payment, created_by=user)
    record("finance.asset.register", card, after=snapshot(card, FIELDS), actor=user,
           detail={"payment": payment.number if payment else None})
    return card


@transaction.atomic
def update_card(card: AssetCard, user, *, location=None, custodian=None) -> AssetCard:
    """Where the asset is and who keeps it may change; its value and history do not."""
    _require(user, "change_assetcard", _("change asset cards"))
    card = AssetCard.objects.select_for_update().get(pk=card.pk)
    scope.require_agency(user, card.agency)
    if card.status == CardStatus.DISPOSED:
        raise _refuse("disposed", number=card.number)
    before = snapshot(card, ["location", "custodian"])
    card.location = clean_text(location if location is not None else card.location, _("location"), 200)
    card.custodian = clean_text(custodian if custodian is not None else card.custodian, _("custodian"), 100)
    card.save(update_fields=["location", "custodian"])
    record("finance.asset.update", card, before=before, after=snapshot(card, ["location", "custodian"]), actor=user)
    return card


# --- transfers and disposals ---------------------------------------------------------------------

@transaction.atomic
def request_change(card: AssetCard, *, kind: str, user, reason: str, effective_on: dt.date | None = None,
                   to_agency: Agency | None = None, receiver: str = "", proceeds="0") -> AssetChange:
    _require(user, "add_assetchange", _("request asset transfers and disposals"))
    card = AssetCard.objects.select_for_update().get(pk=card.pk)
    scope.require_agency(user, card.agency)
    if to_agency is not None:  # a transfer stays within the divisions the requester answers for
        scope.require_agency(user, to_agency)
    if card.status == CardStatus.DISPOSED:
        raise _refuse("disposed", number=card.number)
    if card.changes.filter(status=ChangeStatus.PENDING).exists():
        raise _refuse("pending", number=card.number)
    if kind not in ChangeKind.values:
        raise refuse("field_required", field=_("kind of change"))
    receiver = (receiver or "").strip()[:200]
    if kind == ChangeKind.TRANSFER and (to_agency is None or to_agency.pk == card.agency_id):
        raise _refuse("target", problem=_("a transfer needs another agency of the register"))
    if kind == ChangeKind.FREE_TRANSFER and to_agency is None and not receiver:
        raise _refuse("target", problem=_("a transfer free of charge needs its receiver"))
    proceeds = to_money(proceeds or "0")
    if kind != ChangeKind.SALE and proceeds:
        raise _refuse("target", problem=_("only a sale has proceeds"))
    change = AssetChange.objects.create(
        card=card, kind=kind, from_agency_id=card.agency_id, to_agency=to_agency, receiver=receiver,
        proceeds=proceeds, reason=clean_text(reason, _("reason"), 300), effective_on=effective_on or today(),
        created_by=user)
    record("finance.asset.change.request", change, actor=user, detail={
        "card": card.number, "kind": kind, "to": to_agency.code if to_agency else receiver, "proceeds": proceeds})
    return change


@transaction.atomic
def decide_change(change: AssetChange, user, approve: bool, comment: str = "") -> AssetChange:
    _require(user, "approve_assetchange", _("approve asset transfers and disposals"))
    not_creator(change.created_by_id, user, str(change))
    change = AssetChange.objects.select_for_update().get(pk=change.pk)
    scope.require_agency(user, change.from_agency)
    if change.status != ChangeStatus.PENDING:
        raise refuse("state", document=str(change), state=change.get_status_display(), action=_("decide"))
    if not approve and not (comment or "").strip():
        raise refuse("comment_required")
    card = AssetCard.objects.select_for_update().get(pk=change.card_id)
    before = snapshot(card, FIELDS)
    if approve:
        if change.kind == ChangeKind.TRANSFER:
            card.agency_id = change.to_agency_id
        else:
            card.status, card.disposed_on = CardStatus.DISPOSED, change.effective_on
        AssetCard.objects.filter(pk=card.pk).update(agency_id=card.agency_id, status=card.status,
                                                    disposed_on=card.disposed_on)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.comment = user, timezone.now(), (comment or "")[:300]
    change.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    record("finance.asset.change." + ("approve" if approve else "reject"), change, actor=user,
           before=before, after=snapshot(card, FIELDS), detail={"card": card.number, "comment": comment})
    return change


# --- the annual report ---------------------------------------------------------------------------

def _holder(card: AssetCard, transfers: list[AssetChange], on: dt.date) -> int | None:
    """The agency holding the card at the end of ``on`` (None: not yet acquired or disposed)."""
    if card.acquired_on > on or (card.disposed_on and card.disposed_on <= on):
        return None
    holder = transfers[0].from_agency_id if transfers else card.agency_id
    for t in transfers:
        if t.effective_on <= on:
            holder = t.to_agency_id
    return holder


def annual_report(year: int, agency_ids: list[int] | None = None) -> list[dict]:
    """Per agency, by original value: opening + additions − reductions = closing; the year's
    depreciation and the closing accumulated depreciation and net value (attributed to the holder
    at the year end, or to the agency that disposed of the asset). ``agency_ids`` (a division
    scope, see services/scope.py) limits the rows; None means all."""
    start, end = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    transfers = defaultdict(list)
    for t in AssetChange.objects.filter(kind=ChangeKind.TRANSFER, status=ChangeStatus.APPROVED).order_by(
            "effective_on", "pk"):
        transfers[t.card_id].append(t)
    rows = defaultdict(lambda: {"opening": ZERO, "additions": ZERO, "reductions": ZERO, "closing": ZERO,
                                "depreciation": ZERO, "accumulated": ZERO, "count": 0})
    for card in AssetCard.objects.filter(acquired_on__lte=end):
        before, after = _holder(card, transfers[card.pk], start), _holder(card, transfers[card.pk], end)
        value = card.original_value
        if before:
            rows[before]["opening"] += value
        if after:
            rows[after]["closing"] += value
            rows[after]["count"] += 1
            rows[after]["accumulated"] += accumulated(card, year, 12)
        if before != after:
            if before:
                rows[before]["reductions"] += value
            if after:
                rows[after]["additions"] += value
        charged = accumulated(card, year, 12) - accumulated(card, year - 1, 12)
        owner = after
        if owner is None and card.disposed_on and card.disposed_on.year == year:
            owner = _holder(card, transfers[card.pk], card.disposed_on - dt.timedelta(days=1))
        if owner and charged:
            rows[owner]["depreciation"] += charged
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=rows)}
    out = []
    for pk, r in sorted(rows.items(), key=lambda kv: agencies[kv[0]].code):
        if agency_ids is not None and pk not in agency_ids:
            continue  # every card is walked (transfers cross divisions), only the user's rows are shown
        r.update(agency=agencies[pk], net=r["closing"] - r["accumulated"])
        out.append(r)
    return out


def report_xlsx(year: int, agency_ids: list[int] | None = None) -> bytes:
    from core_finance.services.sheets import to_xlsx

    headings = [_("agency code"), _("holding agency"), _("opening value"), _("additions in the year"), _("reductions in the year"),
                _("closing value"), _("depreciation of the year"), _("accumulated depreciation"), _("net value"),
                _("number of assets")]
    rows = [[r["agency"].code, r["agency"].name, r["opening"], r["additions"], r["reductions"], r["closing"],
             r["depreciation"], r["accumulated"], r["net"], r["count"]] for r in annual_report(year, agency_ids)]
    register = AssetCard.objects.select_related("category", "agency").filter(acquired_on__year__lte=year)
    if agency_ids is not None:
        register = register.filter(agency_id__in=agency_ids)
    cards = [[c.number, c.name, c.category.code, c.agency.name, c.location, c.custodian, c.original_value,
              c.acquired_on, c.get_status_display(), accumulated(c, year, 12), c.original_value - accumulated(
                  c, year, 12)] for c in register]
    return to_xlsx([(_("Annual asset report %(year)s") % {"year": year}, headings, rows),
                    (_("Asset register"), [_("asset number"), _("asset name"), _("category code"), _("holding agency"),
                                           _("location"), _("custodian"), _("original value"),
                                           _("acquisition date"), _("status of the asset"), _("accumulated depreciation"),
                                           _("net value")], cards)])
