"""Special accounts: numbered receipts and disbursements with approval, the balance kept by a
row-locked check (never negative), and postings to the module's balanced sub-ledger.

Check-and-post is one transaction: lock the account row, check, change the balance, post. Parallel
approvals of disbursements queue on the row lock, so none can take the balance below zero; the
database's CHECK constraint (balance >= 0) is the last line of defence.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from common.audit.services import record, snapshot
from core_finance.errors import FinanceRuleError, refuse
from core_finance.money import ZERO, to_money
from core_finance.services.base import clean_text, next_number, not_creator, require_state, today
from core_finance.services.ledger import check_open
from core_finance.special_accounts.models import (
    Direction,
    SpecialAccount,
    SpecialTransaction,
    SubLedgerLine,
    TxStatus,
)

APP = "finance_special_accounts"
RULES = {
    "sa_overdraw": gettext_lazy("[Special account balance rule] account %(account)s has %(available)s yuan available "
                                "(balance less pending disbursements), not enough for %(amount)s yuan."),
    "sa_inactive": gettext_lazy("[Special account rule] account %(account)s is closed; nothing can be booked on it."),
    "sa_match": gettext_lazy("[Statement matching rule] %(problem)s"),
}
FIELDS = ["number", "status", "amount", "direction", "account_id", "balance_after"]


def rule_error(rule: str, **params) -> FinanceRuleError:
    return FinanceRuleError(rule, str(RULES[rule]) % {k: str(v) for k, v in params.items()})


def require(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"{APP}.{codename}"):
        raise refuse("permission", action=action)


def lock_account(pk: int) -> SpecialAccount:
    return SpecialAccount.objects.select_for_update().get(pk=pk)


def pending_disbursements(account: SpecialAccount):
    return SpecialTransaction.objects.filter(account=account, direction=Direction.DISBURSEMENT,
                                             status=TxStatus.PENDING).aggregate(s=Sum("amount"))["s"] or ZERO


def available(account: SpecialAccount):
    """What can still be disbursed: the balance less disbursements awaiting approval."""
    return account.balance - pending_disbursements(account)


def create_transaction(account: SpecialAccount, direction: str, amount, *, counterparty: str, purpose: str, user,
                       counterparty_account: str = "", value_date: date | None = None,
                       source: str = "") -> SpecialTransaction:
    """Record a receipt or disbursement awaiting approval. A disbursement reserves its amount at once."""
    require(user, "add_specialtransaction", _("record special account receipts and disbursements"))
    amount = to_money(amount, positive=True)
    if direction not in Direction.values:
        raise refuse("field_required", field=pgettext("special accounts", "direction"))
    counterparty = clean_text(counterparty, _("counterparty"), 100)
    purpose = clean_text(purpose, _("purpose"), 200)
    value_date = value_date or today()
    with transaction.atomic():
        acc = lock_account(account.pk)
        if not acc.is_active:
            raise rule_error("sa_inactive", account=acc.account_no)
        if direction == Direction.DISBURSEMENT and amount > available(acc):
            raise rule_error("sa_overdraw", account=acc.account_no, available=available(acc), amount=amount)
        prefix = "ZHSK" if direction == Direction.RECEIPT else "ZHFK"
        tx = SpecialTransaction.objects.create(
            number=next_number(f"{prefix}{value_date.year}"), account=acc, direction=direction, amount=amount,
            counterparty=counterparty, counterparty_account=(counterparty_account or "").strip()[:40],
            purpose=purpose, value_date=value_date, source=source[:60], created_by=user)
        record("finance.special.create", tx, after=snapshot(tx, FIELDS), actor=user)
    return tx


def approve(tx: SpecialTransaction, user) -> SpecialTransaction:
    """Approve and post: the balance moves and the sub-ledger gets a balanced entry, or nothing happens."""
    require(user, "approve_specialtransaction", _("approve special account receipts and disbursements"))
    with transaction.atomic():
        acc = lock_account(tx.account_id)
        tx = SpecialTransaction.objects.select_for_update().get(pk=tx.pk)
        not_creator(tx.created_by_id, user, tx.number)
        require_state(tx, [TxStatus.PENDING], tx.number, _("approve"))
        before = snapshot(tx, FIELDS)
        _post(acc, tx, user)
        tx.status, tx.decided_by, tx.decided_at = TxStatus.APPROVED, user, timezone.now()
        tx.save(update_fields=["status", "decided_by", "decided_at", "balance_after"])
        record("finance.special.approve", tx, before=before, after=snapshot(tx, FIELDS), actor=user)
    return tx


def reject(tx: SpecialTransaction, user, comment: str) -> SpecialTransaction:
    require(user, "approve_specialtransaction", _("approve special account receipts and disbursements"))
    comment = clean_text(comment, _("comment"), 200)
    with transaction.atomic():
        tx = SpecialTransaction.objects.select_for_update().get(pk=tx.pk)
        not_creator(tx.created_by_id, user, tx.number)
        require_state(tx, [TxStatus.PENDING], tx.number, _("reject"))
        tx.status, tx.decided_by, tx.decided_at, tx.comment = TxStatus.REJECTED, user, timezone.now(), comment
        tx.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        record("finance.special.reject", tx, after=snapshot(tx, FIELDS), detail={"comment": comment}, actor=user)
    return tx


def receive_approved(account: SpecialAccount, amount, *, counterparty: str, purpose: str, source: str,
                     created_by, approved_by, value_date: date | None = None) -> SpecialTransaction:
    """Book a receipt whose approval happened upstream (e.g. an approved non-tax remittance batch).

    Separation of duties still holds: the upstream creator and approver must differ. The caller's
    transaction makes the receipt and its upstream document one unit.
    """
    not_creator(created_by.pk, approved_by, source)
    with transaction.atomic():
        tx = create_transaction(account, Direction.RECEIPT, amount, counterparty=counterparty, purpose=purpose,
                                user=created_by, value_date=value_date, source=source)
        return approve(tx, approved_by)


def _post(acc: SpecialAccount, tx: SpecialTransaction, user) -> None:
    check_open(tx.value_date)
    if tx.direction == Direction.RECEIPT:
        acc.balance += tx.amount
        debit, credit = SubLedgerLine.DEPOSIT, SubLedgerLine.FUNDS
    else:
        if tx.amount > acc.balance:
            raise rule_error("sa_overdraw", account=acc.account_no, available=acc.balance, amount=tx.amount)
        acc.balance -= tx.amount
        debit, credit = SubLedgerLine.FUNDS, SubLedgerLine.DEPOSIT
    acc.save(update_fields=["balance"])
    tx.balance_after = acc.balance
    entry = next_number(f"ZHJZ{tx.value_date.year}")
    SubLedgerLine.objects.bulk_create([
        SubLedgerLine(entry=entry, date=tx.value_date, ledger_code=debit, account=acc, transaction=tx,
                      debit=tx.amount),
        SubLedgerLine(entry=entry, date=tx.value_date, ledger_code=credit, account=acc, transaction=tx,
                      credit=tx.amount),
    ])


def ledger_balance(account: SpecialAccount):
    """The deposit balance derived from the sub-ledger (must equal the account's balance)."""
    sums = SubLedgerLine.objects.filter(account=account, ledger_code=SubLedgerLine.DEPOSIT).aggregate(
        d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or ZERO) - (sums["c"] or ZERO)


def trial_balance() -> list[dict]:
    rows = SubLedgerLine.objects.values("ledger_code").annotate(debit=Sum("debit"), credit=Sum("credit")).order_by(
        "ledger_code")
    return [dict(r, name=SubLedgerLine.ACCOUNTS.get(r["ledger_code"], ""), balance=r["debit"] - r["credit"])
            for r in rows]
