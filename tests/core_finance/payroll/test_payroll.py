"""Payroll invariants: approved data only, gross = net + withholdings, one run per agency and month,
money only through the wage indicator, separation of duties, payslips only for their owner."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.models import PaymentApplication, PaymentStatus
from core_finance.payroll.models import PayrollRun, Payslip, RunStatus, Staff
from core_finance.payroll.services import changes, files, runs
from tests.core_finance.helpers import refresh
from tests.core_finance.payroll.conftest import PERIOD, grant

D = Decimal
pytestmark = pytest.mark.django_db


def test_a_hire_takes_effect_only_when_the_personnel_office_approves(agency, items, pclerk, personnel):
    change = changes.request(agency, "hire", pclerk, effective_from=PERIOD, reason="招聘", data={
        "name": "王小红", "id_number": "11010519491231002X", "position": "科员", "grade": "一级科员",
        "bank_card": "6222 0203 0300 1234", "bank_name": "工行"}, amounts={"JBGZ": "3000.00"})
    assert not Staff.objects.exists()
    with pytest.raises(FinanceRuleError) as exc:
        changes.decide(change, pclerk, True)  # the requester holds no approval right
    assert exc.value.rule == "permission"
    creator_approver = grant(pclerk, "finance_payroll.approve_personnelchange")
    with pytest.raises(FinanceRuleError) as exc:
        changes.decide(change, creator_approver, True)
    assert exc.value.rule == "creator_approves"
    changes.decide(change, personnel, True)
    staff = Staff.objects.get()
    assert (staff.name, staff.bank_card, staff.hired_from) == ("王小红", "6222020303001234", PERIOD)
    assert AuditEvent.objects.filter(action="finance.payroll.change.approve").exists()


@pytest.mark.parametrize("bad", ["110105194912310021", "11010519491331002X", "1101051949123100", "abc"])
def test_identity_numbers_are_checked_with_the_gb11643_check_digit(agency, items, pclerk, bad):
    with pytest.raises(FinanceRuleError) as exc:
        changes.request(agency, "hire", pclerk, effective_from=PERIOD, reason="招聘", data={
            "name": "王小红", "id_number": bad, "position": "科员", "grade": "一级科员",
            "bank_card": "6222020303001234", "bank_name": "工行"}, amounts={"JBGZ": "3000.00"})
    assert exc.value.rule == "id_number"
    assert "GB 11643" in exc.value.text


def test_run_lines_follow_items_and_round_to_the_fen(agency, items, hire, pclerk, wage_indicator):
    hire("李明", {"JBGZ": "3333.33", "JTBT": "1111.11", "JXGZ": "500.00", "GS": "12.34"})
    run = runs.create(agency, PERIOD, wage_indicator, pclerk)
    slip = run.slips.get()
    lines = {ln.item.code: ln.amount for ln in slip.lines.all()}
    base = D("3333.33") + D("1111.11")
    assert lines["YLBX"] == D("355.56")  # 8 % of 4444.44 = 355.5552 → half-up to the fen
    assert lines["GJJ"] == D("533.33")  # 12 % = 533.3328
    assert slip.gross == base + D("500.00")
    assert slip.withholdings == D("355.56") + D("533.33") + D("12.34")
    assert slip.gross == slip.net + slip.withholdings
    assert run.gross == run.net + run.withholdings == slip.gross


def test_one_run_per_agency_and_month(agency, items, hire, pclerk, wage_indicator):
    hire()
    runs.create(agency, PERIOD, wage_indicator, pclerk)
    with pytest.raises(FinanceRuleError) as exc:
        runs.create(agency, PERIOD, wage_indicator, pclerk)
    assert exc.value.rule == "run_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollRun.objects.create(agency=agency, period=PERIOD, indicator=wage_indicator, created_by=pclerk)


def test_database_refuses_an_unbalanced_payslip(agency, items, hire, pclerk, wage_indicator):
    hire()
    run = runs.create(agency, PERIOD, wage_indicator, pclerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payslip.objects.filter(run=run).update(net=D("1.00"))


def test_leavers_and_raises_apply_from_their_month(agency, items, hire, pclerk, personnel, wage_indicator):
    li = hire("李明")
    zhang = hire("张伟", period=202601)
    change = changes.request(agency, "raise", pclerk, effective_from=PERIOD, reason="晋级", staff=zhang,
                             amounts={"JBGZ": "4000.00"})
    changes.decide(change, personnel, True)
    changes.decide(changes.request(agency, "leave", pclerk, effective_from=202604, reason="调出", staff=li),
                   personnel, True)
    march = runs.create(agency, PERIOD, wage_indicator, pclerk)
    assert {s.name: s.lines.get(item__code="JBGZ").amount for s in march.slips.all()} == {
        "李明": D("3500.00"), "张伟": D("4000.00")}
    feb = runs.create(agency, 202602, wage_indicator, pclerk)
    assert [s.name for s in feb.slips.all()] == ["张伟"]
    assert feb.slips.get().lines.get(item__code="JBGZ").amount == D("3500.00")
    april = runs.create(agency, 202604, wage_indicator, pclerk)
    assert [s.name for s in april.slips.all()] == ["张伟"]


def test_a_rejected_change_changes_nothing(agency, items, hire, pclerk, personnel):
    li = hire()
    change = changes.request(agency, "raise", pclerk, effective_from=202605, reason="调资", staff=li,
                             amounts={"JBGZ": "9000.00"})
    with pytest.raises(FinanceRuleError):
        changes.decide(change, personnel, False)  # a rejection needs a comment
    changes.decide(change, personnel, False, "无调资文件")
    assert li.amounts.filter(effective_from=202605).count() == 0


def test_submitted_run_reserves_net_and_withholdings_on_the_wage_indicator(agency, items, hire, pclerk, papprover,
                                                                           wage_indicator):
    hire("李明")
    hire("张伟")
    run = runs.submit(runs.create(agency, PERIOD, wage_indicator, pclerk), pclerk)
    apps = PaymentApplication.objects.filter(indicator=wage_indicator)
    assert sum(a.amount for a in apps) == run.gross
    assert apps.get(purpose__contains="实发").amount == run.net
    assert refresh(wage_indicator).balance == D("100000.00") - run.gross
    with pytest.raises(FinanceRuleError) as exc:
        runs.compute(run, pclerk)  # recompute only while draft
    assert exc.value.rule == "state"
    with pytest.raises(FinanceRuleError) as exc:
        runs.approve(run, grant(pclerk, "finance_payroll.approve_payrollrun", "core_finance.approve_paymentapplication"))
    assert exc.value.rule == "creator_approves"
    runs.approve(run, papprover)
    assert refresh(run).status == RunStatus.APPROVED
    assert {a.status for a in apps.all()} == {PaymentStatus.APPROVED}


def test_an_indicator_that_cannot_cover_the_run_refuses_it_whole(agency, items, hire, pclerk, make_indicator,
                                                                 settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    small = make_indicator("6000.00", econ="30101")
    hire("李明")
    hire("张伟")
    run = runs.create(agency, PERIOD, small, pclerk)
    with pytest.raises(FinanceRuleError) as exc:
        runs.submit(run, pclerk)
    assert exc.value.rule == "indicator_overspend"
    assert "6000.00" in exc.value.text
    assert refresh(run).status == RunStatus.DRAFT
    assert not PaymentApplication.objects.exists()
    assert refresh(small).balance == D("6000.00")


def test_rejected_run_releases_the_money_and_can_be_recomputed(agency, items, hire, pclerk, papprover,
                                                               wage_indicator):
    hire()
    run = runs.submit(runs.create(agency, PERIOD, wage_indicator, pclerk), pclerk)
    with pytest.raises(FinanceRuleError):
        runs.reject(run, papprover, "")
    runs.reject(run, papprover, "绩效工资未经审批")
    assert refresh(wage_indicator).balance == D("100000.00")
    assert {a.status for a in PaymentApplication.objects.all()} == {PaymentStatus.REJECTED}
    run = runs.compute(refresh(run), pclerk)
    runs.submit(run, pclerk)
    assert refresh(wage_indicator).balance == D("100000.00") - run.gross


def test_changes_approved_after_computing_force_a_recompute(agency, items, hire, pclerk, personnel, wage_indicator):
    li = hire(period=202601)
    run = runs.create(agency, PERIOD, wage_indicator, pclerk)
    changes.decide(changes.request(agency, "leave", pclerk, effective_from=PERIOD, reason="调出", staff=hire(
        "张伟", period=202601)), personnel, True)
    with pytest.raises(FinanceRuleError) as exc:
        runs.submit(run, pclerk)
    assert exc.value.rule == "run_stale"
    run = runs.submit(runs.compute(run, pclerk), pclerk)
    assert [s.staff_id for s in run.slips.all()] == [li.pk]
    with pytest.raises(FinanceRuleError) as exc:  # the month is closed for further changes
        changes.request(agency, "raise", pclerk, effective_from=PERIOD, reason="调资", staff=li,
                        amounts={"JBGZ": "1.00"})
    assert exc.value.rule == "run_closed"


def test_wage_indicator_must_be_a_301_indicator_of_the_agency(agency, items, hire, pclerk, make_indicator, settings):
    hire()
    office = make_indicator("5000.00", econ="30201")
    with pytest.raises(FinanceRuleError) as exc:
        runs.create(agency, PERIOD, office, pclerk)
    assert exc.value.rule == "wage_indicator"


def test_bank_payroll_file_lists_every_net_amount(agency, items, hire, pclerk, papprover, wage_indicator):
    hire("李明")
    hire("张伟")
    run = runs.submit(runs.create(agency, PERIOD, wage_indicator, pclerk), pclerk)
    with pytest.raises(FinanceRuleError):
        files.bank_file(run, pclerk)  # not approved yet
    runs.approve(run, papprover)
    name, data = files.bank_file(refresh(run), pclerk)
    lines = data.decode().splitlines()
    assert name == f"PAYROLL_101001_{PERIOD}.csv"
    assert lines[0] == f"#JINCAI-PAYROLL,1,ICBC,101001,{PERIOD},2,{run.net:.2f}"
    assert lines[1] == "seq,name,id_number,card_no,card_bank,amount"
    assert sum(D(line.rsplit(",", 1)[1]) for line in lines[2:]) == run.net
