"""Special accounts: numbered receipts and disbursements with approval, the balance kept by a
row-locked check (never negative), and each approved movement posted to the core ledger.

Check-and-post is one transaction: lock the account row, check, change the balance, post the core
journal entry (posting.py; the core ledger refuses a locked period). Parallel approvals of
disbursements queue on the row lock, so none can take the balance below zero; the database's CHECK
constraint (balance >= 0) is the last line of defence. Special accounts are the treasury's: only
staff who see the home division act on them (services/scope.py).
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
from core_finance.services import ledger, scope
from core_finance.services.base import clean_text, next_number, not_creator, require_state, today
from core_finance.special_accounts import posting
from core_finance.special_accounts.models import Direction, SpecialAccount, SpecialTransaction, TxStatus

__all__ = ["today"]
APP = "finance_special_accounts"
RULES = {
    "sa_overdraw": gettext_lazy("[Special account balance rule] account %(account)s has %(available)s yuan available "
                                "(balance less pending disbursements), not enough for %(amount)s yuan."),
    "sa_inactive": gettext_lazy("[Special account rule] account %(account)s is closed; nothing can be booked on it."),
    "sa_match": gettext_lazy("[Statement matching rule] %(problem)s"),
    "sa_home": gettext_lazy("[Division isolation rule] special fiscal accounts are kept by the treasury; only staff "
                            "of the home division can act on them."),
    "sa_void": gettext_lazy("[Special account correction rule] record %(number)s cannot be voided here: "
                            "%(problem)s"),
}
FIELDS = ["number", "status", "amount", "direction", "account_id", "balance_after"]


def rule_error(rule: str, **params) -> FinanceRuleError:
    return FinanceRuleError(rule, str(RULES[rule]) % {k: str(v) for k, v in params.items()})


def require(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"{APP}.{codename}"):
        raise refuse("permission", action=action)
    if not scope.sees_home(user):
        raise rule_error("sa_home")


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
    return _create(account, direction, amount, counterparty=counterparty, purpose=purpose, user=user,
                   counterparty_account=counterparty_account, value_date=value_date, source=source)


def _create(account, direction, amount, *, counterparty, purpose, user, counterparty_account="", value_date=None,
            source="", audit=True) -> SpecialTransaction:
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
        if audit:
            record("finance.special.create", tx, after=snapshot(tx, FIELDS), actor=user)
    return tx


def approve(tx: SpecialTransaction, user) -> SpecialTransaction:
    """Approve and post: the balance moves and the core ledger gets a balanced entry, or nothing happens."""
    require(user, "approve_specialtransaction", _("approve special account receipts and disbursements"))
    return _approve(tx, user)


def _approve(tx, user, extra_lines=()) -> SpecialTransaction:
    with transaction.atomic():
        acc = lock_account(tx.account_id)
        tx = SpecialTransaction.objects.select_for_update().get(pk=tx.pk)
        not_creator(tx.created_by_id, user, tx.number)
        require_state(tx, [TxStatus.PENDING], tx.number, _("approve"))
        before = snapshot(tx, FIELDS)
        if tx.direction == Direction.RECEIPT:
            acc.balance += tx.amount
        else:
            if tx.amount > acc.balance:
                raise rule_error("sa_overdraw", account=acc.account_no, available=acc.balance, amount=tx.amount)
            acc.balance -= tx.amount
        acc.save(update_fields=["balance"])
        tx.balance_after = acc.balance
        tx.status, tx.decided_by, tx.decided_at = TxStatus.APPROVED, user, timezone.now()
        tx.save(update_fields=["status", "decided_by", "decided_at", "balance_after"])
        tx.account = acc
        posting.post(tx, user, extra_lines)
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


def void(tx: SpecialTransaction, user, reason: str) -> SpecialTransaction:
    """Void an approved record: the balance moves back and its core entry is reversed (dated today).

    Posted entries are never edited. A record booked for an upstream document (a non-tax remittance)
    is corrected there, and one already on a bank statement is not voided.
    """
    require(user, "void_specialtransaction", _("void special account records"))
    reason = clean_text(reason, _("reason"), 200)
    with transaction.atomic():
        acc = lock_account(tx.account_id)
        tx = SpecialTransaction.objects.select_for_update().get(pk=tx.pk)
        not_creator(tx.created_by_id, user, tx.number)
        require_state(tx, [TxStatus.APPROVED], tx.number, _("void"))
        if tx.source:
            raise rule_error("sa_void", number=tx.number, problem=_("it was booked for %(source)s; correct it "
                                                                    "there") % {"source": tx.source})
        line = getattr(tx, "statement_line", None)
        if line is not None:
            raise rule_error("sa_void", number=tx.number, problem=_("it is on bank statement line %(ref)s") % {
                "ref": line.bank_ref})
        before = snapshot(tx, FIELDS)
        if tx.direction == Direction.RECEIPT:
            if tx.amount > available(acc):
                raise rule_error("sa_overdraw", account=acc.account_no, available=available(acc), amount=tx.amount)
            acc.balance -= tx.amount
        else:
            acc.balance += tx.amount
        acc.save(update_fields=["balance"])
        ledger.reverse(posting.entry_of(tx), user, reason)
        tx.status, tx.voided_by, tx.voided_at, tx.comment = TxStatus.VOIDED, user, timezone.now(), reason
        tx.save(update_fields=["status", "voided_by", "voided_at", "comment"])
        record("finance.special.void", tx, before=before, after=snapshot(tx, FIELDS), detail={"reason": reason},
               actor=user)
    return tx


def receive_approved(account: SpecialAccount, amount, *, counterparty: str, purpose: str, source: str,
                     created_by, approved_by, value_date: date | None = None, lines=()) -> SpecialTransaction:
    """Book a receipt whose approval happened upstream (e.g. an approved non-tax remittance batch).

    Separation of duties still holds: the upstream creator and approver must differ. The caller's
    transaction makes the receipt, its core journal entry and the upstream document one unit;
    ``lines`` (balanced ledger lines of the upstream document, e.g. clearing what was owed) join the
    receipt's entry, so the whole movement is one entry. The upstream module has checked its own
    permissions and division; the special account is the treasury's, so no home check applies.
    """
    not_creator(created_by.pk, approved_by, source)
    with transaction.atomic():
        # Numbers before audit records (the lock order of services.base.next_number).
        tx = _create(account, Direction.RECEIPT, amount, counterparty=counterparty, purpose=purpose,
                     user=created_by, value_date=value_date, source=source, audit=False)
        tx = _approve(tx, approved_by, lines)
        record("finance.special.create", tx, detail={"source": source}, actor=created_by)
        return tx


def ledger_balance(account: SpecialAccount):
    """The deposit balance derived from the core ledger (must equal the account's balance)."""
    return posting.ledger_balance(account)


def trial_balance() -> list[dict]:
    return posting.trial_balance()
