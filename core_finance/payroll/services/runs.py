"""Monthly payroll runs: compute from approved data, reserve on the wage indicator, approve.

Money leaves only through core finance's payment applications: submitting a run calls
``payments.create_application`` for the net pay and for each withholding, all in one transaction,
so an indicator that cannot cover the whole run refuses it and nothing is reserved. Approving the
run approves those applications (vouchers are issued); rejecting it releases them and the run is a
draft again, the only state in which it can be recomputed.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record, snapshot
from core_finance.models import CodeTable, PaymentStatus
from core_finance.money import ZERO
from core_finance.payroll import rules
from core_finance.payroll.models import (
    Decision,
    PayItem,
    PayLine,
    PayrollRun,
    Payslip,
    PersonnelChange,
    RunPayment,
    RunStatus,
    Staff,
    StaffAmount,
    period_label,
)
from core_finance.payroll.rules import deny
from core_finance.payroll.services.calc import compute_person
from core_finance.payroll.services.changes import check_period
from core_finance.services import payments, scope
from core_finance.services.base import clean_text, not_creator, require_state
from core_finance.services.codes import leaf_code

FIELDS = ["status", "headcount", "gross", "withholdings", "net"]
WAGES_PREFIX = "301"


def create(agency, period, indicator, user) -> PayrollRun:
    rules.require(user, "finance_payroll.add_payrollrun", _("prepare payroll runs"))
    scope.require_agency(user, agency)
    period = check_period(period)
    if indicator is None or indicator.agency_id != agency.pk or indicator.year != period // 100 or \
            not indicator.dept_econ.code.startswith(WAGES_PREFIX):
        raise deny("wage_indicator", _("[Payroll rule] the run must be paid from a %(year)s wage indicator "
                                       "(economic code 301xx) of %(agency)s.")
                   % {"year": period // 100, "agency": agency.name})
    if PayrollRun.objects.filter(agency=agency, period=period).exists():
        raise _exists(agency, period)
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(agency=agency, period=period, indicator=indicator, created_by=user)
            record("finance.payroll.run.create", run, after={"period": period, "indicator": indicator.number},
                   actor=user)
    except IntegrityError:
        raise _exists(agency, period) from None
    return compute(run, user)


def _exists(agency, period):
    return deny("run_exists", _("[Payroll rule] %(agency)s already has a payroll run for %(month)s; there is one "
                                "run per agency and month.") % {"agency": agency.name, "month": period_label(period)})


def standing_amounts(agency, period: int) -> dict:
    """staff id → {item id → the amount in force in ``period`` (the latest effective one)}."""
    out = defaultdict(dict)
    for staff_id, item_id, amount in StaffAmount.objects.filter(
            staff__agency=agency, effective_from__lte=period).order_by("effective_from").values_list(
            "staff_id", "item_id", "amount"):
        out[staff_id][item_id] = amount  # later periods overwrite earlier ones
    return out


def compute(run: PayrollRun, user) -> PayrollRun:
    rules.require(user, "finance_payroll.add_payrollrun", _("prepare payroll runs"))
    scope.require_agency(user, run.agency)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        require_state(run, [RunStatus.DRAFT], str(run), pgettext("workflow action", "recompute"))
        items = list(PayItem.objects.filter(is_active=True))
        for item in items:  # every item must map to a wage code valid in the run's year
            leaf_code(CodeTable.DEPT_ECONOMIC, run.year, item.econ_code)
        standing = standing_amounts(run.agency, run.period)
        staff = [s for s in Staff.objects.filter(agency=run.agency).order_by("name", "pk") if s.paid_in(run.period)]
        if not staff:
            raise deny("run_empty", _("[Payroll rule] %(agency)s has nobody to pay in %(month)s.")
                       % {"agency": run.agency.name, "month": period_label(run.period)})
        run.slips.all().delete()
        totals = [ZERO, ZERO, ZERO]
        for person in staff:
            pay = compute_person(items, standing.get(person.pk, {}), person.name)
            slip = Payslip.objects.create(run=run, staff=person, name=person.name, bank_card=person.bank_card,
                                          bank_name=person.bank_name, gross=pay.gross,
                                          withholdings=pay.withholdings, net=pay.net)
            PayLine.objects.bulk_create([PayLine(slip=slip, item=item, name=item.name, kind=item.kind,
                                                 econ_code=item.econ_code, amount=amount)
                                         for item, amount in pay.lines])
            totals = [totals[0] + pay.gross, totals[1] + pay.withholdings, totals[2] + pay.net]
        run.headcount = len(staff)
        run.gross, run.withholdings, run.net = totals
        run.computed_at = timezone.now()
        run.save(update_fields=FIELDS + ["computed_at"])
        record("finance.payroll.run.compute", run, after=snapshot(run, FIELDS), actor=user)
    return run


def withholding_totals(run: PayrollRun) -> list[tuple[PayItem, object]]:
    rows = PayLine.objects.filter(slip__run=run, kind=PayItem.Kind.WITHHOLDING).values("item").annotate(
        s=Sum("amount")).order_by("item")
    items = PayItem.objects.in_bulk([r["item"] for r in rows])
    return [(items[r["item"]], r["s"]) for r in rows if r["s"]]


def _stale(run: PayrollRun) -> bool:
    return PersonnelChange.objects.filter(agency=run.agency, status=Decision.APPROVED,
                                          effective_from__lte=run.period, decided_at__gt=run.computed_at).exists()


def submit(run: PayrollRun, user) -> PayrollRun:
    """Reserve the whole run on the wage indicator (net pay and each withholding), or nothing."""
    rules.require(user, "finance_payroll.add_payrollrun", _("submit payroll runs"))
    scope.require_agency(user, run.agency)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        require_state(run, [RunStatus.DRAFT], str(run), pgettext("workflow action", "submit"))
        if _stale(run):
            raise deny("run_stale", _("[Payroll rule] personnel changes were approved after this run was computed; "
                                      "recompute it first."))
        if run.gross != run.net + run.withholdings or not run.headcount:
            raise deny("run_empty", _("[Payroll rule] %(agency)s has nobody to pay in %(month)s.")
                       % {"agency": run.agency.name, "month": period_label(run.period)})
        agency, label = run.agency, period_label(run.period)
        common = {"indicator": run.indicator, "payment_type": "5201", "user": user, "month": run.month}
        if run.net:
            app = payments.create_application(
                amount=run.net, payee_name=f"{agency.name}工资统发（{run.headcount}人）",
                payee_account=f"PAYROLL-{agency.code}", payee_bank=f"{agency.agent_bank} 代发工资户",
                purpose=f"{label}工资统发实发", **common)
            RunPayment.objects.create(run=run, application=app)
        for item, amount in withholding_totals(run):
            app = payments.create_application(amount=amount, payee_name=item.payee_name,
                                              payee_account=item.payee_account, payee_bank=item.payee_bank,
                                              purpose=f"{label}工资代扣{item.name}", **common)
            RunPayment.objects.create(run=run, application=app, item=item)
        run.status, run.submitted_by, run.comment = RunStatus.SUBMITTED, user, ""
        run.save(update_fields=["status", "submitted_by", "comment"])
        record("finance.payroll.run.submit", run, after=snapshot(run, FIELDS),
               detail={"applications": [p.application.number for p in current_payments(run)]}, actor=user)
    return run


def current_payments(run: PayrollRun):
    return run.payments.select_related("application", "item").exclude(application__status=PaymentStatus.REJECTED)


def approve(run: PayrollRun, user) -> PayrollRun:
    rules.require(user, "finance_payroll.approve_payrollrun", _("approve payroll runs"))
    scope.require_agency(user, run.agency)
    not_creator(run.created_by_id, user, str(run))
    not_creator(run.submitted_by_id, user, str(run))
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        require_state(run, [RunStatus.SUBMITTED], str(run), pgettext("workflow action", "approve"))
        for link in current_payments(run):
            payments.approve(link.application, user)
        run.status, run.decided_by = RunStatus.APPROVED, user
        run.save(update_fields=["status", "decided_by"])
        record("finance.payroll.run.approve", run, after=snapshot(run, FIELDS), actor=user)
    return run


def reject(run: PayrollRun, user, comment: str) -> PayrollRun:
    rules.require(user, "finance_payroll.approve_payrollrun", _("return payroll runs"))
    scope.require_agency(user, run.agency)
    not_creator(run.created_by_id, user, str(run))
    comment = clean_text(comment, _("comment"), 300)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        require_state(run, [RunStatus.SUBMITTED], str(run), pgettext("workflow action", "reject"))
        for link in current_payments(run):
            payments.reject(link.application, user, comment)
        run.status, run.comment = RunStatus.DRAFT, comment
        run.save(update_fields=["status", "comment"])
        record("finance.payroll.run.reject", run, detail={"comment": comment}, actor=user)
    return run
