"""Debt services: instruments and their schedules, repayments, due-date alerts, debt ratios."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from common.audit.services import record, snapshot
from core_finance.debt import schedule
from core_finance.debt.codes import INTEREST_PREFIX, PRINCIPAL_PREFIX
from core_finance.debt.models import (
    DebtInstrument,
    DueAlert,
    FiscalCapacity,
    FundSource,
    InstrumentKind,
    LineStatus,
    Repayment,
    RepaymentMethod,
    ScheduleLine,
)
from core_finance.errors import FinanceRuleError, refuse
from core_finance.models import FiscalDivision, PaymentStatus
from core_finance.money import ZERO, to_money
from core_finance.services import payments, scope
from core_finance.services.base import clean_text, next_number, today

ALERT_DAYS = (30, 7, 1)
CENT = Decimal("0.01")
FAILED = (PaymentStatus.REJECTED, PaymentStatus.RETURNED)
FIELDS = ["number", "name", "kind", "amount", "annual_rate", "issue_date", "term_months", "method", "frequency"]
MESSAGES = {
    "term": gettext_lazy("[Debt schedule rule] a term of %(term)s months cannot be split into %(freq)s payments "
                         "a year."),
    "rate": gettext_lazy("[Debt schedule rule] the interest rate “%(value)s” is not a percentage between 0 and 100."),
    "not_principal": gettext_lazy("[Debt service rule] indicator %(indicator)s (functional code %(code)s) cannot "
                                  "pay principal: principal is paid from a debt principal indicator (functional "
                                  "class 231)."),
    "not_interest": gettext_lazy("[Debt service rule] indicator %(indicator)s (functional code %(code)s) cannot "
                                 "pay interest: interest is paid from a debt interest indicator (functional "
                                 "class 232)."),
    "principal_indicator_needed": gettext_lazy("[Debt service rule] repaying principal from the budget needs a "
                                               "debt principal indicator (functional class 231)."),
    "interest_indicator_needed": gettext_lazy("[Debt service rule] paying interest from the budget needs a debt "
                                              "interest indicator (functional class 232)."),
    "carried": gettext_lazy("[Debt repayment rule] payment application %(payment)s still pays part of period "
                            "%(seq)s of %(number)s; record the rest of this period from the budget."),
    "home_only": gettext_lazy("[Division isolation rule] government debt is managed by the treasury of "
                              "%(division)s; staff of other fiscal divisions cannot act on it."),
    "already_paid": gettext_lazy("[Debt repayment rule] period %(seq)s of %(number)s is already paid."),
}


def _refuse(rule: str, **params) -> FinanceRuleError:
    return FinanceRuleError(f"debt_{rule}", str(MESSAGES[rule]) % params)


def _require(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"finance_debt.{codename}"):
        raise refuse("permission", action=action)
    require_home(user)


def require_home(user) -> None:
    """Debt is a treasury-level (home division) matter: township staff neither see nor touch it."""
    if user is not None and not scope.sees_home(user):
        raise _refuse("home_only", division=FiscalDivision.home().name)


def thresholds() -> tuple[Decimal, Decimal]:
    """Warning lines in percent: the debt ratio (债务率) and the debt-service ratio (偿债率)."""
    return (Decimal(str(getattr(settings, "JINCAI_DEBT_RATIO_WARNING", "100"))),
            Decimal(str(getattr(settings, "JINCAI_DEBT_SERVICE_RATIO_WARNING", "20"))))


@transaction.atomic
def create_instrument(*, name, kind, creditor, amount, annual_rate, issue_date: dt.date, term_months: int,
                      method, frequency: int, user, purpose: str = "") -> DebtInstrument:
    """Register a bond or loan and generate its repayment schedule."""
    _require(user, "add_debtinstrument", _("register debt instruments"))
    amount = to_money(amount, positive=True)
    try:
        rate = Decimal(str(annual_rate).strip())
    except ArithmeticError:
        raise _refuse("rate", value=annual_rate) from None
    if not rate.is_finite() or not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.0001")):
        raise _refuse("rate", value=annual_rate)
    if kind not in InstrumentKind.values:
        raise refuse("field_required", field=_("kind of debt"))
    if method not in RepaymentMethod.values:
        raise refuse("field_required", field=_("repayment method"))
    try:
        schedule.periods(int(term_months), int(frequency))
    except (ValueError, ZeroDivisionError):
        raise _refuse("term", term=term_months, freq=frequency) from None
    prefix = {"general_bond": "YB", "special_bond": "ZX", "loan": "DK"}[kind]
    inst = DebtInstrument.objects.create(
        number=next_number(f"{prefix}{issue_date.year}", 4), name=clean_text(name, pgettext("debt", "name"), 200), kind=kind,
        creditor=clean_text(creditor, _("creditor or bond code"), 200), amount=amount, annual_rate=rate,
        issue_date=issue_date, term_months=int(term_months), method=method, frequency=int(frequency),
        purpose=(purpose or "").strip()[:300], created_by=user)
    ScheduleLine.objects.bulk_create([
        ScheduleLine(instrument=inst, seq=p.seq, due_date=p.due_date, principal=p.principal, interest=p.interest)
        for p in schedule.build(amount, rate, issue_date, inst.term_months, inst.frequency, method)])
    record("finance.debt.instrument.create", inst, after=snapshot(inst, FIELDS), actor=user)
    return inst


def release_failed() -> int:
    """A repayment one of whose budget payments was rejected or returned by the bank did not pay
    the line: it is voided and the line is due again. The other part's payment, if it did not fail,
    is carried into the next repayment of the line (see ``_surviving``), never paid twice."""
    count = 0
    failed = Q(principal_payment__status__in=FAILED) | Q(interest_payment__status__in=FAILED)
    for rep_id, line_id in Repayment.objects.filter(failed, voided=False).values_list("pk", "line_id"):
        with transaction.atomic():
            line = ScheduleLine.objects.select_for_update().get(pk=line_id)
            rep = Repayment.objects.select_related("principal_payment", "interest_payment").get(pk=rep_id)
            if rep.voided:  # voided meanwhile by another caller
                continue
            rep.voided = True
            rep.save(update_fields=["voided"])
            line.status = LineStatus.DUE
            line.save(update_fields=["status"])
            record("finance.debt.repayment.void", rep, detail={
                "failed": {p.number: p.status for p in rep.payments if p.status in FAILED},
                "carried": [p.number for p in rep.payments if p.status not in FAILED]})
            count += 1
    return count


def _surviving(line: ScheduleLine) -> dict:
    """Per part, a payment of a voided repayment of ``line`` that did not fail: that part is already
    being paid, so the next repayment takes it over instead of paying it again."""
    out = {}
    for rep in (line.repayments.filter(voided=True).select_related("principal_payment", "interest_payment")
                .order_by("-pk")):
        for part in ("principal", "interest"):
            app = getattr(rep, f"{part}_payment")
            if app is not None and part not in out and app.status not in FAILED:
                out[part] = app
    return out


def _parts(line: ScheduleLine, principal_indicator, interest_indicator, carried: dict) -> list:
    """The budget payments to make: (part, amount, indicator), every indicator checked first."""
    todo = []
    for part, prefix, amount, indicator in (("principal", PRINCIPAL_PREFIX, line.principal, principal_indicator),
                                            ("interest", INTEREST_PREFIX, line.interest, interest_indicator)):
        if amount <= 0 or part in carried:
            continue
        if indicator is None:
            raise _refuse(f"{part}_indicator_needed")
        if not indicator.functional.code.startswith(prefix):
            raise _refuse(f"not_{part}", indicator=indicator.number, code=indicator.functional.code)
        todo.append((part, amount, indicator))
    return todo


def record_repayment(line: ScheduleLine, *, user, source: str, paid_on: dt.date | None = None,
                     principal_indicator=None, interest_indicator=None, payee_name: str = "",
                     payee_account: str = "", payee_bank: str = "", reference: str = "") -> Repayment:
    """Pay one schedule line, once. From the budget, principal goes through a payment application on
    a debt principal indicator (231) and interest through one on a debt interest indicator (232), each
    a check-and-reserve on its indicator and approved by someone else. Both or neither: if the second
    is refused, the first reservation is rolled back with it."""
    _require(user, "repay_debtinstrument", _("record debt repayments"))
    if source not in FundSource.values:
        raise refuse("field_required", field=_("source of funds"))
    release_failed()
    with transaction.atomic():
        line = ScheduleLine.objects.select_for_update().select_related("instrument").get(pk=line.pk)
        inst = line.instrument
        if line.status == LineStatus.PAID or line.repayments.filter(voided=False).exists():
            raise _refuse("already_paid", seq=line.seq, number=inst.number)
        carried = _surviving(line)
        if carried and source != FundSource.BUDGET:
            raise _refuse("carried", payment=next(iter(carried.values())).number, seq=line.seq, number=inst.number)
        apps = dict(carried)
        if source == FundSource.BUDGET:
            purposes = {"principal": _("Debt principal %(number)s period %(seq)s"),
                        "interest": _("Debt interest %(number)s period %(seq)s")}
            for part, amount, indicator in _parts(line, principal_indicator, interest_indicator, carried):
                apps[part] = payments.create_application(
                    indicator=indicator, amount=amount, payment_type="5201",
                    payee_name=payee_name or inst.creditor, payee_account=payee_account or "-",
                    payee_bank=payee_bank or "-", user=user,
                    purpose=purposes[part] % {"number": inst.number, "seq": line.seq})
        rep = Repayment.objects.create(line=line, source=source, amount=line.total, paid_on=paid_on or today(),
                                       principal_payment=apps.get("principal"),
                                       interest_payment=apps.get("interest"),
                                       reference=(reference or "").strip()[:100], created_by=user)
        line.status = LineStatus.PAID
        line.save(update_fields=["status"])
        record("finance.debt.repayment.create", rep, actor=user, detail={
            "instrument": inst.number, "seq": line.seq, "principal": line.principal, "interest": line.interest,
            "source": source, "payments": {part: app.number for part, app in apps.items()},
            "carried": [app.number for app in carried.values()]})
    return rep


def raise_due_alerts(on: dt.date | None = None) -> int:
    """Alert 30, 7 and 1 days before each unpaid due date (and on overdue lines); idempotent."""
    on = on or today()
    created = 0
    lines = ScheduleLine.objects.filter(status=LineStatus.DUE, due_date__lte=on + dt.timedelta(days=max(ALERT_DAYS)))
    for line in lines:
        left = (line.due_date - on).days
        marks = [d for d in ALERT_DAYS if left <= d] if left >= 0 else [-1]
        # Only the tightest mark reached: a line first seen 5 days ahead gets the 7-day alert, not three.
        _alert, made = DueAlert.objects.get_or_create(line=line, days_before=min(marks))
        if made:
            record("finance.debt.alert", line, detail={"days_before": min(marks), "due": line.due_date})
            created += 1
    return created


def open_alerts():
    return (DueAlert.objects.filter(line__status=LineStatus.DUE).select_related("line__instrument")
            .order_by("line__due_date", "days_before"))


def balance(on: dt.date) -> Decimal:
    """Debt outstanding at the end of ``on``: issued principal less principal repaid."""
    issued = DebtInstrument.objects.filter(issue_date__lte=on).aggregate(s=Sum("amount"))["s"] or ZERO
    repaid = (Repayment.objects.filter(voided=False, paid_on__lte=on).aggregate(s=Sum("line__principal"))["s"]
              or ZERO)
    return (issued - repaid).quantize(CENT)


def debt_service(year: int) -> Decimal:
    """Principal and interest falling due in ``year``."""
    s = ScheduleLine.objects.filter(due_date__year=year).aggregate(p=Sum("principal"), i=Sum("interest"))
    return ((s["p"] or ZERO) + (s["i"] or ZERO)).quantize(CENT)


def ratios(year: int) -> dict:
    """债务率 = balance at year end / comprehensive fiscal capacity; 偿债率 = debt service / capacity."""
    end = min(dt.date(year, 12, 31), today()) if year == today().year else dt.date(year, 12, 31)
    cap = FiscalCapacity.objects.filter(year=year).first()
    bal, service = balance(end), debt_service(year)
    debt_warn, service_warn = thresholds()
    out = {"year": year, "as_of": end, "balance": bal, "service": service, "capacity": cap.capacity if cap else None,
           "debt_ratio": None, "service_ratio": None, "debt_warning": debt_warn, "service_warning": service_warn}
    if cap and cap.capacity > 0:
        out["debt_ratio"] = (bal * 100 / cap.capacity).quantize(Decimal("0.01"))
        out["service_ratio"] = (service * 100 / cap.capacity).quantize(Decimal("0.01"))
    out["debt_alarm"] = out["debt_ratio"] is not None and out["debt_ratio"] >= debt_warn
    out["service_alarm"] = out["service_ratio"] is not None and out["service_ratio"] >= service_warn
    return out


@transaction.atomic
def enter_capacity(year: int, capacity, user, note: str = "") -> FiscalCapacity:
    _require(user, "enter_fiscalcapacity", _("enter fiscal capacity figures"))
    capacity = to_money(capacity, positive=True)
    row = FiscalCapacity.objects.select_for_update().filter(year=year).first()
    before = snapshot(row, ["capacity", "note"]) if row else None
    row, _created = FiscalCapacity.objects.update_or_create(year=year, defaults={
        "capacity": capacity, "note": (note or "")[:200], "entered_by": user})
    record("finance.debt.capacity", row, before=before, after=snapshot(row, ["capacity", "note"]), actor=user)
    return row


def upcoming(days: int = 90, on: dt.date | None = None):
    on = on or today()
    return (ScheduleLine.objects.filter(status=LineStatus.DUE, due_date__lte=on + dt.timedelta(days=days))
            .select_related("instrument").order_by("due_date"))


def summary() -> dict:
    """Outstanding principal by kind of debt."""
    issued = dict(DebtInstrument.objects.values_list("kind").annotate(s=Sum("amount")))
    repaid = dict(Repayment.objects.filter(voided=False).values_list("line__instrument__kind")
                  .annotate(s=Sum("line__principal")))
    return {"by_kind": [(InstrumentKind(k).label, (issued.get(k) or ZERO) - (repaid.get(k) or ZERO))
                        for k in InstrumentKind.values]}
