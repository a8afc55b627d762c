"""Posting balanced journal entries, reversals, and closing periods (the lock only moves forward)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.errors import refuse
from core_finance.models import AccountingPeriod, JournalEntry, JournalLine, LedgerAccount
from core_finance.money import ZERO, to_money
from core_finance.services.base import next_number, require_perm, today

# The chart of accounts (created by migration 0002).
AVAILABLE = "1001"  # 可用指标
FROZEN = "1002"  # 冻结指标
TREASURY = "1011"  # 国库单一账户存款
ZERO_BALANCE = "1021"  # 零余额账户用款额度
PAYABLE = "2001"  # 应付国库集中支付款
SOURCE = "4001"  # 指标来源
USED = "5001"  # 已支用指标
EXPENSE = "5101"  # 财政拨款支出
CHART = {AVAILABLE: ("可用指标", True), FROZEN: ("冻结指标", True), TREASURY: ("国库单一账户存款", True),
         ZERO_BALANCE: ("零余额账户用款额度", True), PAYABLE: ("应付国库集中支付款", False),
         SOURCE: ("指标来源", False), USED: ("已支用指标", True), EXPENSE: ("财政拨款支出", True)}


@dataclass
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    agency_id: int | None = None
    indicator_id: int | None = None


def dr(account, amount, agency_id=None, indicator_id=None) -> Line:
    return Line(account, debit=amount, agency_id=agency_id, indicator_id=indicator_id)


def cr(account, amount, agency_id=None, indicator_id=None) -> Line:
    return Line(account, credit=amount, agency_id=agency_id, indicator_id=indicator_id)


def locked_through() -> tuple[int, int] | None:
    last = AccountingPeriod.objects.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(last) if last else None


def check_open(on: date) -> None:
    lock = locked_through()
    if lock is not None and (on.year, on.month) <= lock:
        raise refuse("period_locked", period=f"{on.year}-{on.month:02d}")


def post(memo: str, lines: list[Line], *, source: str = "", user=None, on: date | None = None,
         reverses: JournalEntry | None = None) -> JournalEntry:
    """Post one balanced entry. Refused when unbalanced, one-sided lines are wrong or the period is locked."""
    on = on or today()
    debit = credit = ZERO
    for line in lines:
        d, c = to_money(line.debit), to_money(line.credit)
        if (d > 0) == (c > 0):
            raise refuse("ledger_line")
        debit += d
        credit += c
    if debit != credit or debit == 0:
        raise refuse("ledger_unbalanced", debit=debit, credit=credit)
    with transaction.atomic():
        check_open(on)
        number = next_number(f"JZ{on.year}")
        entry = JournalEntry.objects.create(number=number, date=on, memo=memo[:300], source=source[:60],
                                            reverses=reverses, created_by=user)
        accounts = _accounts({ln.account for ln in lines})
        JournalLine.objects.bulk_create([
            JournalLine(entry=entry, account_id=accounts[ln.account], debit=to_money(ln.debit),
                        credit=to_money(ln.credit), agency_id=ln.agency_id, indicator_id=ln.indicator_id)
            for ln in lines
        ])
        record("finance.ledger.post", entry, detail={"memo": entry.memo, "debit": debit, "source": source},
               actor=user)
    return entry


def _accounts(codes: set[str]) -> dict[str, int]:
    found = dict(LedgerAccount.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes - set(found):
        # Created by migration 0002; recreated here only after a test flush emptied the table.
        name, debit = CHART[code]
        found[code] = LedgerAccount.objects.get_or_create(code=code, defaults={"name": name,
                                                                               "debit_nature": debit})[0].pk
    return found


def reverse(entry: JournalEntry, user, reason: str = "") -> JournalEntry:
    """Correct a posted entry with its mirror image, dated today (the original stays as it was)."""
    require_perm(user, "reverse_journalentry", _("reverse journal entries"))
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise refuse("already_reversed", number=entry.number)
        lines = [Line(ln.account.code, debit=ln.credit, credit=ln.debit, agency_id=ln.agency_id,
                      indicator_id=ln.indicator_id) for ln in entry.lines.select_related("account")]
        memo = _("Reversal of %(number)s: %(reason)s") % {"number": entry.number, "reason": reason or entry.memo}
        return post(memo, lines, source=f"reversal:{entry.pk}", user=user, reverses=entry)


def close_period(year: int, month: int, user) -> AccountingPeriod:
    """Close (lock) a month. Only forwards: a month at or before the current lock is refused."""
    require_perm(user, "close_accountingperiod", _("close accounting periods"))
    if not 1 <= month <= 12:
        raise refuse("period_order", locked=f"{year}-{month:02d}")
    with transaction.atomic():
        # Serialize closers: everyone locks the newest period row (or the table is empty).
        list(AccountingPeriod.objects.select_for_update().order_by("-year", "-month")[:1])
        lock = locked_through()
        if lock is not None and (year, month) <= lock:
            raise refuse("period_order", locked=f"{lock[0]}-{lock[1]:02d}")
        now = today()
        if (year, month) > (now.year, now.month):
            raise refuse("period_order", locked=f"{lock[0]}-{lock[1]:02d}" if lock else "—")
        totals = JournalLine.objects.filter(entry__date__year=year, entry__date__month=month).aggregate(
            d=Sum("debit"), c=Sum("credit"))
        debit, credit = totals["d"] or ZERO, totals["c"] or ZERO
        if debit != credit:
            raise refuse("ledger_unbalanced", debit=debit, credit=credit)
        period = AccountingPeriod.objects.create(year=year, month=month, closed_by=user, debit_total=debit,
                                                 credit_total=credit)
        record("finance.ledger.close_period", period, detail={"debit": debit, "credit": credit}, actor=user)
    return period


def trial_balance(until: date | None = None) -> list[dict]:
    qs = JournalLine.objects.all()
    if until:
        qs = qs.filter(entry__date__lte=until)
    rows = qs.values("account__code", "account__name").annotate(debit=Sum("debit"), credit=Sum("credit")).order_by(
        "account__code")
    return [dict(r, balance=r["debit"] - r["credit"]) for r in rows]


def last_entry_date():
    return JournalEntry.objects.aggregate(m=Max("date"))["m"]
