"""Payment plans and payment applications: check-and-reserve, approval, vouchers, refunds.

Check-and-reserve is one database transaction: lock the indicator row (and the month's plan),
check the balances, create the application and its reserving transaction. Fifty parallel
requests against one indicator therefore queue on the row lock and none can overshoot it.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record, snapshot
from core_finance.conf import payment_plans_enabled
from core_finance.errors import refuse
from core_finance.models import (
    CodeTable,
    DecisionStatus,
    Indicator,
    IndicatorTransaction,
    PaymentApplication,
    PaymentKind,
    PaymentPlan,
    PaymentRefund,
    PaymentStatus,
    PaymentVoucher,
    TxKind,
)
from core_finance.money import ZERO, to_money
from core_finance.services import indicators, ledger, monitoring, scope
from core_finance.services.base import (
    clean_text,
    next_number,
    not_creator,
    require_perm,
    require_state,
    today,
)
from core_finance.services.codes import leaf_code

ACCOUNT_TYPES = {PaymentKind.DIRECT: "TSA", PaymentKind.AUTHORIZED: "ZBA", PaymentKind.CARD: "CARD"}
VOUCHER_PREFIX = {PaymentKind.DIRECT: "ZZ", PaymentKind.AUTHORIZED: "SQ", PaymentKind.CARD: "GWK"}
# The account the money leaves from when the bank pays: the treasury single account for direct
# payments, the agency's zero-balance account otherwise.
CASH_ACCOUNT = {PaymentKind.DIRECT: ledger.TREASURY, PaymentKind.AUTHORIZED: ledger.ZERO_BALANCE,
                PaymentKind.CARD: ledger.ZERO_BALANCE}
FIELDS = ["number", "status", "amount", "refunded", "indicator_id"]


# --- payment plans ------------------------------------------------------------------------------

def create_plan(indicator: Indicator, month: int, amount, user) -> PaymentPlan:
    require_perm(user, "add_paymentplan", _("create payment plans"))
    scope.require_agency(user, indicator.agency)
    amount = to_money(amount, positive=True)
    if not 1 <= int(month) <= 12:
        raise refuse("field_required", field=_("month"))
    with transaction.atomic():
        ind = indicators.lock(indicator.pk)
        planned = PaymentPlan.objects.filter(indicator=ind).exclude(status=DecisionStatus.REJECTED).aggregate(
            s=Sum("amount"))["s"] or ZERO
        if planned + amount > ind.budget:
            raise refuse("plan_exceeds_indicator", total=planned + amount, indicator=ind.number, budget=ind.budget)
        if PaymentPlan.objects.filter(indicator=ind, month=month).exists():
            raise refuse("state", document=f"{ind.number} {month}", state=_("already planned"), action=pgettext("workflow action", "plan again"))
        plan = PaymentPlan.objects.create(indicator=ind, month=month, amount=amount, created_by=user)
        record("finance.plan.create", plan, after=snapshot(plan, ["month", "amount"]), actor=user)
    return plan


def create_annual_plan(indicator: Indicator, user) -> list[PaymentPlan]:
    """Spread what is not yet planned of the indicator's budget evenly over the unplanned months."""
    require_perm(user, "add_paymentplan", _("create payment plans"))
    scope.require_agency(user, indicator.agency)
    with transaction.atomic():
        ind = indicators.lock(indicator.pk)
        plans = PaymentPlan.objects.filter(indicator=ind).exclude(status=DecisionStatus.REJECTED)
        planned = plans.aggregate(s=Sum("amount"))["s"] or ZERO
        months = [m for m in range(1, 13) if m not in set(plans.values_list("month", flat=True))]
        rest = ind.budget - planned
        if not months or rest <= 0:
            return []
        share = (rest / len(months)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        amounts = [share] * (len(months) - 1) + [rest - share * (len(months) - 1)]
        created = PaymentPlan.objects.bulk_create([
            PaymentPlan(indicator=ind, month=m, amount=a, created_by=user) for m, a in zip(months, amounts, strict=True)
            if a > 0])
        record("finance.plan.create_annual", ind, detail={"months": months, "total": rest}, actor=user)
    return created


def approve_plans(indicator: Indicator, user) -> int:
    """Approve every pending plan of an indicator that the user did not create."""
    require_perm(user, "approve_paymentplan", _("approve payment plans"))
    scope.require_agency(user, indicator.agency)
    with transaction.atomic():
        pending = PaymentPlan.objects.select_for_update().filter(indicator=indicator, status=DecisionStatus.PENDING)
        mine = pending.filter(created_by=user)
        if mine.exists():
            not_creator(user.pk, user, str(mine.first()))
        months = list(pending.values_list("month", flat=True))
        pending.update(status=DecisionStatus.APPROVED, approved_by=user)
        if months:
            record("finance.plan.approve", indicator, detail={"months": months}, actor=user)
    return len(months)


def approve_plan(plan: PaymentPlan, user, approve: bool = True) -> PaymentPlan:
    require_perm(user, "approve_paymentplan", _("approve payment plans"))
    scope.require_agency(user, plan.indicator.agency)
    not_creator(plan.created_by_id, user, str(plan))
    with transaction.atomic():
        plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
        require_state(plan, [DecisionStatus.PENDING], str(plan), pgettext("workflow action", "decide"))
        plan.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        plan.approved_by = user
        plan.save(update_fields=["status", "approved_by"])
        record("finance.plan." + ("approve" if approve else "reject"), plan, actor=user)
    return plan


# --- payment applications -----------------------------------------------------------------------

def create_application(*, indicator: Indicator, amount, payment_type, payee_name: str, payee_account: str,
                       payee_bank: str, purpose: str, user, month: int | None = None,
                       payee_is_individual: bool = False, is_cash: bool = False, card_holder: str = "",
                       card_tx_date=None, attachment=None) -> PaymentApplication:
    """Check the indicator (and plan) and reserve the amount, in one transaction."""
    require_perm(user, "add_paymentapplication", _("create payment applications"))
    scope.require_agency(user, indicator.agency)
    amount = to_money(amount, positive=True)
    ptype = leaf_code(CodeTable.PAYMENT_TYPE, indicator.year, payment_type)
    payee_name = clean_text(payee_name, _("payee"), 200)
    payee_account = clean_text(payee_account, _("payee account"), 40)
    payee_bank = clean_text(payee_bank, _("payee bank"), 200)
    purpose = clean_text(purpose, _("purpose"), 300)
    if ptype.payment_kind == PaymentKind.CARD:
        card_holder = clean_text(card_holder, _("card holder"), 100)
        if card_tx_date is None:
            raise refuse("field_required", field=_("card transaction date"))
    month = int(month or today().month)
    if not 1 <= month <= 12:
        raise refuse("field_required", field=_("month"))
    hits = monitoring.evaluate(amount=amount, dept_econ_code=indicator.dept_econ.code, is_cash=is_cash,
                               payee_is_individual=payee_is_individual)
    monitoring.enforce(hits, has_attachment=bool(attachment))
    with transaction.atomic():
        ind = indicators.lock(indicator.pk)
        if ind.balance < amount:
            raise refuse("indicator_overspend", indicator=ind.number, available=ind.balance, amount=amount)
        plan = None
        if payment_plans_enabled():
            plan = PaymentPlan.objects.select_for_update().filter(indicator=ind, month=month,
                                                                  status=DecisionStatus.APPROVED).first()
            if plan is None:
                raise refuse("plan_missing", indicator=ind.number, month=month)
            if plan.available < amount:
                raise refuse("plan_overspend", indicator=ind.number, month=month, available=plan.available,
                             amount=amount)
        app = PaymentApplication(
            number=next_number(f"ZF{ind.year}"), year=ind.year, month=month, agency_id=ind.agency_id, indicator=ind,
            plan=plan, functional_id=ind.functional_id, dept_econ_id=ind.dept_econ_id, payment_type=ptype,
            kind=ptype.payment_kind, amount=amount, payee_name=payee_name, payee_account=payee_account,
            payee_bank=payee_bank, payee_is_individual=payee_is_individual, is_cash=is_cash, purpose=purpose,
            card_holder=card_holder, card_tx_date=card_tx_date, created_by=user)
        if attachment:
            app.attachment = attachment
        app.save()
        indicators.append(ind, TxKind.APPLY, amount, sign=-1, status=DecisionStatus.PENDING, user=user, payment=app)
        if plan is not None:
            plan.used += amount
            plan.save(update_fields=["used"])
        stored = monitoring.store(hits, app)
        record("finance.payment.create", app, after=snapshot(app, FIELDS),
               detail={"monitoring": [f"{h.level}:{h.rule.code}" for h in stored]}, actor=user)
    return app


def _reserving_tx(app) -> IndicatorTransaction:
    return IndicatorTransaction.objects.get(payment=app, kind=TxKind.APPLY)


def approve(app: PaymentApplication, user) -> PaymentVoucher:
    """Approve (by someone other than the creator): the reservation becomes use, a voucher is issued."""
    require_perm(user, "approve_paymentapplication", _("approve payment applications"))
    not_creator(app.created_by_id, user, str(app))
    with transaction.atomic():
        app = PaymentApplication.objects.select_for_update().get(pk=app.pk)
        require_state(app, [PaymentStatus.RESERVED], app.number, pgettext("workflow action", "approve"))
        scope.require_agency(user, app.agency)
        scope.require_county_review(app, user)
        ind = indicators.lock(app.indicator_id)
        indicators.decide(_reserving_tx(app), ind, approved=True)
        voucher = PaymentVoucher.objects.create(
            number=next_number(f"{VOUCHER_PREFIX[app.kind]}{app.year}"), application=app, kind=app.kind,
            account_type=ACCOUNT_TYPES[app.kind], bank=app.agency.agent_bank, amount=app.amount)
        app.status, app.decided_by, app.decided_at = PaymentStatus.APPROVED, user, timezone.now()
        app.save(update_fields=["status", "decided_by", "decided_at"])
        a, i = app.agency_id, ind.pk
        ledger.post(_("Payment %(number)s approved, voucher %(voucher)s") % {"number": app.number,
                                                                            "voucher": voucher.number},
                    [ledger.dr(ledger.USED, app.amount, a, i), ledger.cr(ledger.AVAILABLE, app.amount, a, i),
                     ledger.dr(ledger.EXPENSE, app.amount, a, i), ledger.cr(ledger.PAYABLE, app.amount, a)],
                    source=f"payment:{app.pk}", user=user)
        record("finance.payment.approve", app, after=snapshot(app, FIELDS), detail={"voucher": voucher.number},
               actor=user)
    return voucher


def reject(app: PaymentApplication, user, comment: str) -> PaymentApplication:
    """Reject: the reserved amount returns to the indicator and the plan."""
    require_perm(user, "approve_paymentapplication", _("reject payment applications"))
    scope.require_agency(user, app.agency)
    not_creator(app.created_by_id, user, str(app))
    if not (comment or "").strip():
        raise refuse("comment_required")
    with transaction.atomic():
        app = PaymentApplication.objects.select_for_update().get(pk=app.pk)
        require_state(app, [PaymentStatus.RESERVED], app.number, pgettext("workflow action", "reject"))
        ind = indicators.lock(app.indicator_id)
        indicators.decide(_reserving_tx(app), ind, approved=False)
        _release_plan(app, app.amount)
        app.status, app.decided_by, app.decided_at, app.comment = (PaymentStatus.REJECTED, user, timezone.now(),
                                                                   comment)
        app.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        record("finance.payment.reject", app, after=snapshot(app, FIELDS), detail={"comment": comment}, actor=user)
    return app


def _release_plan(app, amount) -> None:
    if app.plan_id:
        plan = PaymentPlan.objects.select_for_update().get(pk=app.plan_id)
        plan.used -= amount
        plan.save(update_fields=["used"])


def mark_paid(app: PaymentApplication, paid_on, bank_ref: str, user=None) -> None:
    """The agent bank paid the voucher (called by the bank result import, inside its transaction)."""
    app = PaymentApplication.objects.select_for_update().get(pk=app.pk)
    require_state(app, [PaymentStatus.SENT], app.number, pgettext("workflow action", "mark as paid"))
    voucher = app.voucher
    voucher.paid_on, voucher.bank_ref = paid_on, bank_ref[:60]
    voucher.save(update_fields=["paid_on", "bank_ref"])
    app.status = PaymentStatus.PAID
    app.save(update_fields=["status"])
    ledger.post(_("Voucher %(voucher)s paid by the bank") % {"voucher": voucher.number},
                [ledger.dr(ledger.PAYABLE, app.amount, app.agency_id),
                 ledger.cr(CASH_ACCOUNT[app.kind], app.amount, app.agency_id)],
                source=f"payment:{app.pk}", user=user, on=paid_on)
    record("finance.payment.paid", app, detail={"voucher": voucher.number, "bank_ref": bank_ref}, actor=user,
           actor_name="agent-bank")


def mark_returned(app: PaymentApplication, reason: str, user=None) -> None:
    """The bank could not pay (退票): the amount returns to the indicator and the plan."""
    app = PaymentApplication.objects.select_for_update().get(pk=app.pk)
    require_state(app, [PaymentStatus.SENT], app.number, pgettext("workflow action", "mark as returned"))
    ind = indicators.lock(app.indicator_id)
    indicators.append(ind, TxKind.RETURN, app.amount, sign=1, status=DecisionStatus.APPROVED,
                      user=user or app.created_by, payment=app)
    _release_plan(app, app.amount)
    voucher = app.voucher
    voucher.return_reason = reason[:200]
    voucher.save(update_fields=["return_reason"])
    app.status = PaymentStatus.RETURNED
    app.save(update_fields=["status"])
    a, i = app.agency_id, ind.pk
    ledger.post(_("Voucher %(voucher)s returned by the bank: %(reason)s") % {"voucher": voucher.number,
                                                                            "reason": reason},
                [ledger.dr(ledger.AVAILABLE, app.amount, a, i), ledger.cr(ledger.USED, app.amount, a, i),
                 ledger.dr(ledger.PAYABLE, app.amount, a), ledger.cr(ledger.EXPENSE, app.amount, a, i)],
                source=f"payment:{app.pk}", user=user)
    record("finance.payment.returned", app, detail={"reason": reason}, actor=user, actor_name="agent-bank")


def refund(app: PaymentApplication, amount, user, *, refunded_on=None, reason: str = "",
           bank_ref: str = "") -> PaymentRefund:
    """A paid amount came back (退款): never more than was paid; balances are restored."""
    require_perm(user, "refund_paymentapplication", _("register refunds"))
    scope.require_agency(user, app.agency)
    return apply_refund(app, amount, user, refunded_on=refunded_on, reason=reason, bank_ref=bank_ref)


def apply_refund(app, amount, user, *, refunded_on=None, reason: str = "", bank_ref: str = "") -> PaymentRefund:
    """The refund itself; also used by the bank result import (the importer's own permission applies)."""
    amount = to_money(amount, positive=True)
    reason = clean_text(reason, _("reason"), 200)
    refunded_on = refunded_on or today()
    with transaction.atomic():
        app = PaymentApplication.objects.select_for_update().get(pk=app.pk)
        require_state(app, [PaymentStatus.PAID], app.number, pgettext("workflow action", "refund"))
        if app.refunded + amount > app.amount:
            raise refuse("refund_exceeds", total=app.refunded + amount, paid=app.amount)
        ind = indicators.lock(app.indicator_id)
        indicators.append(ind, TxKind.REFUND, amount, sign=1, status=DecisionStatus.APPROVED, user=user, payment=app)
        _release_plan(app, amount)
        item = PaymentRefund.objects.create(application=app, amount=amount, refunded_on=refunded_on, reason=reason,
                                            bank_ref=bank_ref[:60], created_by=user)
        app.refunded += amount
        app.save(update_fields=["refunded"])
        a, i = app.agency_id, ind.pk
        ledger.post(_("Refund of %(amount)s yuan on %(number)s") % {"amount": amount, "number": app.number},
                    [ledger.dr(ledger.AVAILABLE, amount, a, i), ledger.cr(ledger.USED, amount, a, i),
                     ledger.dr(CASH_ACCOUNT[app.kind], amount, a), ledger.cr(ledger.EXPENSE, amount, a, i)],
                    source=f"payment:{app.pk}", user=user, on=refunded_on)
        record("finance.payment.refund", app, detail={"amount": amount, "reason": reason, "bank_ref": bank_ref},
               actor=user, actor_name="agent-bank")
    return item
