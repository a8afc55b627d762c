"""Non-tax revenue services: payment notices with a check-digit payment code, late fees, refunds
(never above what was paid, approved by someone else) and remittance batches.

Every money movement posts to the core ledger in its own transaction (posting.py): settlements
and late fees (collection.py), approved refunds and remittances. Remittance into a special account
goes through the special-accounts receipt service, so the special account's balance and its core
entry move in the same transaction as the batch's approval. Items belong to a collecting agency;
staff act only on their own divisions' items, notices and batches (services/scope.py).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.audit.services import record, snapshot
from core_finance.errors import FinanceRuleError, refuse
from core_finance.models import FiscalDivision
from core_finance.money import CENT, ZERO, to_money
from core_finance.nontax import posting
from core_finance.nontax.models import (
    CollectionItem,
    NoticeStatus,
    PaymentNotice,
    Refund,
    RemittanceBatch,
    StandardKind,
    Target,
)
from core_finance.services import scope
from core_finance.services.base import clean_text, next_number, not_creator, require_state, today
from core_finance.special_accounts import services as special

APP = "finance_nontax"
RULES = {
    "ntx_standard": gettext_lazy("[Charging standard rule] item %(item)s charges %(standard)s; %(amount)s yuan is "
                                 "outside the standard."),
    "ntx_code": gettext_lazy("[Payment code rule] “%(code)s” is not a valid payment code (wrong length or check "
                             "digit)."),
    "ntx_remitted": gettext_lazy("[Remittance rule] notice %(notice)s is already in remittance batch %(batch)s; "
                                 "its money can no longer be refunded here."),
    "ntx_nothing": gettext_lazy("[Remittance rule] there is nothing to remit to %(target)s."),
    "ntx_home": gettext_lazy("[Division isolation rule] agent bank files carry every division's revenue; only staff "
                             "of the home division exchange them."),
}
NOTICE_FIELDS = ["number", "payment_code", "amount", "status", "refunded", "remittance_id"]


def rule_error(rule: str, **params) -> FinanceRuleError:
    return FinanceRuleError(rule, str(RULES[rule]) % {k: str(v) for k, v in params.items()})


def require(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"{APP}.{codename}"):
        raise refuse("permission", action=action)


def require_item(user, item: CollectionItem) -> None:
    """Refuse to act on an item (and its notices) of an agency in another division."""
    scope.require_agency(user, item.agency)


def require_home(user) -> None:
    if not scope.sees_home(user):
        raise rule_error("ntx_home")


def require_division(user, division: FiscalDivision | None) -> None:
    ids = scope.division_ids(user)
    division = division or FiscalDivision.home()
    if ids is not None and division.pk not in ids:
        raise refuse("division", agency=division.name)


# --- payment codes -------------------------------------------------------------------------------

def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (catches any single wrong digit and most swaps)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def valid_code(code: str) -> bool:
    return len(code) == 16 and code.isascii() and code.isdigit() and luhn_digit(code[:-1]) == code[-1]


def new_payment_code(year: int) -> str:
    serial = next_number(f"NTXCODE{year}", width=11).rsplit("-", 1)[1]
    body = f"{year:04d}{serial}"
    return body + luhn_digit(body)


# --- late fees -----------------------------------------------------------------------------------

def late_fee(principal: Decimal, due: date, paid_on: date, rate: Decimal) -> Decimal:
    """滞纳金: ``rate`` of the principal per day after the due date, to the fen, capped at the principal."""
    days = (paid_on - due).days
    if days <= 0:
        return ZERO
    fee = (principal * rate * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(fee, principal)


def amount_due(notice: PaymentNotice, on: date) -> tuple[Decimal, Decimal]:
    """``(late fee, total)`` the payer owes when paying on ``on``."""
    fee = late_fee(notice.amount, notice.due_date, on, notice.item.late_fee_rate)
    return fee, notice.amount + fee


# --- notices -------------------------------------------------------------------------------------

def check_standard(item: CollectionItem, amount) -> Decimal:
    if amount in (None, "") and item.standard_kind == StandardKind.FIXED:
        return item.fixed_amount
    amount = to_money(amount, positive=True)
    if item.standard_kind == StandardKind.FIXED:
        ok, standard = amount == item.fixed_amount, _("%(a)s yuan") % {"a": item.fixed_amount}
    else:
        ok = item.min_amount <= amount <= item.max_amount
        standard = _("%(a)s to %(b)s yuan") % {"a": item.min_amount, "b": item.max_amount}
    if not ok:
        raise rule_error("ntx_standard", item=item.name, standard=standard, amount=amount)
    return amount


def issue_notice(item: CollectionItem, *, payer_name: str, due_date: date, user, amount=None, payer_id: str = "",
                 bank: str = "ICBC") -> PaymentNotice:
    require(user, "add_paymentnotice", _("issue payment notices"))
    require_item(user, item)
    if not item.is_active:
        raise refuse("state", document=item.name, state=_("inactive"), action=_("issue notices for"))
    amount = check_standard(item, amount)
    payer_name = clean_text(payer_name, _("payer"), 100)
    bank = clean_text(bank, _("agent bank"), 20)
    if due_date is None:
        raise refuse("field_required", field=_("due date"))
    with transaction.atomic():
        year = today().year
        notice = PaymentNotice.objects.create(
            number=next_number(f"JKS{year}"), payment_code=new_payment_code(year), item=item,
            payer_name=payer_name, payer_id=(payer_id or "").strip()[:30], amount=amount, due_date=due_date,
            bank=bank, created_by=user)
        record("finance.nontax.issue", notice, after=snapshot(notice, NOTICE_FIELDS), actor=user)
    return notice


def cancel_notice(notice: PaymentNotice, user, reason: str) -> PaymentNotice:
    require(user, "change_paymentnotice", _("cancel payment notices"))
    reason = clean_text(reason, _("reason"), 200)
    with transaction.atomic():
        notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=notice.pk)
        require_item(user, notice.item)
        require_state(notice, [NoticeStatus.ISSUED], notice.number, _("cancel"))
        notice.status = NoticeStatus.CANCELLED
        notice.save(update_fields=["status"])
        record("finance.nontax.cancel", notice, after=snapshot(notice, NOTICE_FIELDS), detail={"reason": reason},
               actor=user)
    return notice


def paid_total(notice: PaymentNotice) -> Decimal:
    settlement = getattr(notice, "settlement", None)
    return settlement.total if settlement else ZERO


# --- refunds -------------------------------------------------------------------------------------

def _refund_room(notice: PaymentNotice, amount: Decimal, exclude=None) -> None:
    asked = Refund.objects.filter(notice=notice).exclude(status=Refund.Status.REJECTED)
    if exclude is not None:
        asked = asked.exclude(pk=exclude.pk)
    total = (asked.aggregate(s=Sum("amount"))["s"] or ZERO) + amount
    if total > paid_total(notice):
        raise refuse("refund_exceeds", total=total, paid=paid_total(notice))


def request_refund(notice: PaymentNotice, amount, reason: str, user) -> Refund:
    """Ask for a refund; pending refunds count at once against what was paid."""
    require(user, "add_refund", _("request non-tax refunds"))
    amount = to_money(amount, positive=True)
    reason = clean_text(reason, _("reason"), 200)
    with transaction.atomic():
        notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=notice.pk)
        require_item(user, notice.item)
        require_state(notice, [NoticeStatus.PAID], notice.number, _("refund"))
        if notice.remittance_id is not None:
            raise rule_error("ntx_remitted", notice=notice.number, batch=notice.remittance.number)
        _refund_room(notice, amount)
        refund = Refund.objects.create(number=next_number(f"NTXTF{today().year}"), notice=notice, amount=amount,
                                       reason=reason, created_by=user)
        record("finance.nontax.refund_request", refund, detail={"notice": notice.number, "amount": amount},
               actor=user)
    return refund


def decide_refund(refund: Refund, user, approve: bool) -> Refund:
    require(user, "approve_refund", _("approve non-tax refunds"))
    with transaction.atomic():
        notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=refund.notice_id)
        require_item(user, notice.item)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        not_creator(refund.created_by_id, user, refund.number)
        require_state(refund, [Refund.Status.PENDING], refund.number, _("decide"))
        if approve:
            _refund_room(notice, refund.amount, exclude=refund)
            notice.refunded += refund.amount
            notice.save(update_fields=["refunded"])
        refund.status = Refund.Status.APPROVED if approve else Refund.Status.REJECTED
        refund.decided_by, refund.decided_on = user, today()
        refund.save(update_fields=["status", "decided_by", "decided_on"])
        if approve:
            posting.post_refund(refund, notice.item.agency_id, user, _("Non-tax refund %(r)s on notice %(n)s") % {
                "r": refund.number, "n": notice.number})
        record("finance.nontax.refund_decide", refund,
               detail={"approved": approve, "amount": refund.amount, "notice": notice.number}, actor=user)
    return refund


# --- remittance ----------------------------------------------------------------------------------

def remittable(target: str, special_account=None, division: FiscalDivision | None = None):
    """Paid, unremitted notices of ``target`` without pending refunds, of ``division``'s agencies."""
    qs = PaymentNotice.objects.filter(status=NoticeStatus.PAID, remittance__isnull=True, item__target=target,
                                      item__agency__division=division or FiscalDivision.home())
    if target == Target.SPECIAL:
        qs = qs.filter(item__special_account=special_account)
    return qs.exclude(refunds__status=Refund.Status.PENDING)


def create_batch(target: str, user, special_account=None) -> RemittanceBatch:
    """Gather every paid, unremitted notice of the target (net of refunds) of the user's own division
    into one batch."""
    require(user, "add_remittancebatch", _("prepare remittances"))
    if target not in Target.values or (target == Target.SPECIAL) != (special_account is not None):
        raise refuse("field_required", field=_("special account"))
    division = scope.division_of(user)
    with transaction.atomic():
        notices = list(remittable(target, special_account, division).select_for_update(of=("self",)).select_related("settlement")
                       .order_by("pk"))
        if not notices:
            label = str(special_account) if special_account else Target(target).label
            raise rule_error("ntx_nothing", target=label)
        total = sum((n.settlement.total - n.refunded for n in notices), ZERO)
        batch = RemittanceBatch.objects.create(number=next_number(f"NTXJK{today().year}"), target=target,
                                               special_account=special_account, date=today(), total=total,
                                               division=division,
                                               count=len(notices), created_by=user)
        for n in notices:
            n.remittance = batch
            n.save(update_fields=["remittance"])
        record("finance.nontax.remit_create", batch, detail={"total": total, "notices": len(notices)}, actor=user)
    return batch


def decide_batch(batch: RemittanceBatch, user, approve: bool) -> RemittanceBatch:
    """Approve (the money is remitted today and posted) or reject (its notices return to the pool)."""
    require(user, "approve_remittancebatch", _("approve non-tax remittances"))
    with transaction.atomic():
        batch = RemittanceBatch.objects.select_for_update().get(pk=batch.pk)
        require_division(user, batch.division)
        not_creator(batch.created_by_id, user, batch.number)
        require_state(batch, [RemittanceBatch.Status.PENDING], batch.number, _("decide"))
        batch.decided_by, batch.decided_at = user, timezone.now()
        notices = list(PaymentNotice.objects.select_for_update(of=("self",)).filter(remittance=batch)
                       .select_related("item", "settlement").order_by("pk"))
        if approve:
            batch.status, batch.date = RemittanceBatch.Status.APPROVED, today()
            memo = _("Non-tax revenue remittance %(n)s") % {"n": batch.number}
            if batch.total > 0 and batch.target == Target.SPECIAL:
                batch.special_receipt = special.receive_approved(
                    batch.special_account, batch.total, counterparty=_("Non-tax revenue collection"),
                    purpose=memo, source=f"nontax:{batch.number}", created_by=batch.created_by, approved_by=user,
                    value_date=batch.date, lines=posting.clearing_lines(notices))
            elif batch.total > 0:
                posting.post_treasury_remittance(batch, notices, user, memo)
        else:
            batch.status = RemittanceBatch.Status.REJECTED
            for n in notices:
                n.remittance = None
                n.save(update_fields=["remittance"])
        batch.save()
        record("finance.nontax.remit_decide", batch, detail={"approved": approve, "total": batch.total},
               actor=user)
    return batch
