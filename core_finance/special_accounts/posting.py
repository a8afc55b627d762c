"""Posting special account movements to the core ledger (core_finance.services.ledger).

Accounts (core_finance migration 0004, modelled on the 财政总预算会计制度):

    1031 财政专户存款            the money held in the special accounts
    4031 财政专户管理资金收入    what came into them
    5031 财政专户管理资金支出    what went out of them

A receipt posts Dr 1031 / Cr 4031, a disbursement Dr 5031 / Cr 1031, each as one core journal
entry whose source names the record (``special:<number>``); a voided record is corrected with
``ledger.reverse``. The deposit balance of an account is derived from those entries.
"""

from __future__ import annotations

from django.db.models import CharField, F, Q, Sum, Value
from django.db.models.functions import Concat

from core_finance.models import JournalEntry, JournalLine, LedgerAccount
from core_finance.money import ZERO
from core_finance.services import ledger

DEPOSIT = "1031"  # 财政专户存款
INCOME = "4031"  # 财政专户管理资金收入
SPENDING = "5031"  # 财政专户管理资金支出
CHART = {DEPOSIT: ("财政专户存款", True), INCOME: ("财政专户管理资金收入", False),
         SPENDING: ("财政专户管理资金支出", True)}
PREFIX = "special:"


def ensure_accounts(chart: dict) -> None:
    """The accounts come from core_finance migration 0004; recreate any a test flush emptied."""
    found = set(LedgerAccount.objects.filter(code__in=chart).values_list("code", flat=True))
    for code in set(chart) - found:
        name, debit = chart[code]
        LedgerAccount.objects.get_or_create(code=code, defaults={"name": name, "debit_nature": debit})


def source_of(tx) -> str:
    return f"{PREFIX}{tx.number}"


def post(tx, user, extra_lines=()) -> JournalEntry:
    """One balanced entry for an approved receipt or disbursement, dated on its value date
    (``extra_lines``: an upstream document's own balanced lines, e.g. a non-tax remittance's)."""
    ensure_accounts(CHART)
    if tx.direction == "receipt":
        lines = [ledger.dr(DEPOSIT, tx.amount), ledger.cr(INCOME, tx.amount)]
    else:
        lines = [ledger.dr(SPENDING, tx.amount), ledger.cr(DEPOSIT, tx.amount)]
    lines += list(extra_lines)
    memo = f"{tx.get_direction_display()} {tx.number} {tx.account.name}：{tx.purpose}"
    return ledger.post(memo, lines, source=source_of(tx), user=user, on=tx.value_date)


def entry_of(tx) -> JournalEntry | None:
    return JournalEntry.objects.filter(source=source_of(tx), reverses__isnull=True).first()


def _sources(account):
    from core_finance.special_accounts.models import SpecialTransaction

    return SpecialTransaction.objects.filter(account=account).annotate(
        src=Concat(Value(PREFIX), F("number"), output_field=CharField())).values("src")


def lines_of(account):
    """The core journal lines of ``account``'s records and of their reversals."""
    sources = _sources(account)
    return JournalLine.objects.filter(Q(entry__source__in=sources) | Q(entry__reverses__source__in=sources))


def ledger_balance(account):
    """The deposit balance per the core ledger (must equal the account's balance)."""
    sums = lines_of(account).filter(account__code=DEPOSIT).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or ZERO) - (sums["c"] or ZERO)


def trial_balance() -> list[dict]:
    """The core ledger's trial balance, narrowed to the special accounts' ledger accounts."""
    return [row for row in ledger.trial_balance() if row["account__code"] in CHART]
