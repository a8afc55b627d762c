"""Payment plans and applications: check-and-reserve, approval by another person, vouchers, refunds, monitoring."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.models import (
    DecisionStatus,
    IndicatorTransaction,
    JournalEntry,
    MonitorHit,
    MonitorRule,
    PaymentApplication,
    PaymentPlan,
    PaymentStatus,
    PaymentVoucher,
)
from core_finance.services import indicators, payments
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db
D = Decimal


def state(ind):
    ind.refresh_from_db()
    return (ind.balance, PaymentApplication.objects.count(), IndicatorTransaction.objects.count(),
            JournalEntry.objects.count(), list(PaymentPlan.objects.values_list("pk", "used")))


def test_a_payment_reserves_at_once_and_approval_issues_a_voucher(make_indicator, pay, chief):
    ind = make_indicator("1000.00")
    app = pay(ind, "300.00")
    assert (app.status, refresh(ind).balance) == (PaymentStatus.RESERVED, D("700.00"))
    assert (app.functional_id, app.dept_econ_id, app.kind) == (ind.functional_id, ind.dept_econ_id, "direct")
    voucher = payments.approve(app, chief)
    assert voucher.application == app and voucher.number.startswith("ZZ2026-")
    assert (voucher.kind, voucher.account_type, voucher.bank, voucher.amount) == ("direct", "TSA", "ICBC",
                                                                                  D("300.00"))
    assert refresh(app).status == PaymentStatus.APPROVED and app.decided_by == chief
    assert refresh(ind).balance == D("700.00")
    assert indicators.breakdown(ind)["applied"] == D("300.00")
    assert AuditEvent.objects.filter(action="finance.payment.approve", object_id=str(app.pk)).exists()


@pytest.mark.parametrize("ptype, kind, account, prefix", [("8202", "authorized", "ZBA", "SQ"),
                                                          ("8203", "card", "CARD", "GWK")])
def test_authorized_payments_and_official_card_settlements(make_indicator, pay, chief, ptype, kind, account,
                                                           prefix):
    ind = make_indicator("1000.00")
    extra = {"card_holder": "李明", "card_tx_date": "2026-04-12"} if kind == "card" else {}
    app = pay(ind, "12.50", payment_type=ptype, **extra)
    voucher = payments.approve(app, chief)
    assert (app.kind, voucher.account_type) == (kind, account) and voucher.number.startswith(prefix)


def test_card_settlements_need_the_card_holder(make_indicator, pay):
    ind = make_indicator("1000.00")
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "12.50", payment_type="8203")
    assert exc.value.rule == "field_required" and "持卡人" in exc.value.text


def test_overspending_is_refused_and_nothing_changes(make_indicator, pay):
    ind = make_indicator("100.00")
    pay(ind, "60.00")
    before = state(ind)
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "40.01")
    assert exc.value.rule == "indicator_overspend"
    assert "指标额度控制规则" in exc.value.text and "40.00" in exc.value.text and "40.01" in exc.value.text
    assert state(ind) == before
    pay(ind, "40.00")
    assert refresh(ind).balance == 0


def test_the_creator_never_approves_their_own_application(make_indicator, pay, clerk, chief):
    ind = make_indicator("100.00")
    clerk.user_permissions.add(*chief.user_permissions.all())
    clerk = type(clerk).objects.get(pk=clerk.pk)
    app = pay(ind, "10.00", user=clerk)
    before = state(ind)
    for action in (lambda: payments.approve(app, clerk), lambda: payments.reject(app, clerk, "撤回")):
        with pytest.raises(FinanceRuleError) as exc:
            action()
        assert exc.value.rule == "creator_approves" and "制单人不能审核" in exc.value.text
    assert state(ind) == before and refresh(app).status == PaymentStatus.RESERVED


def test_approval_needs_the_permission(make_indicator, pay, auditor):
    app = pay(make_indicator("100.00"), "10.00")
    with pytest.raises(FinanceRuleError) as exc:
        payments.approve(app, auditor)
    assert exc.value.rule == "permission" and "权限规则" in exc.value.text
    assert not PaymentVoucher.objects.exists()


def test_rejection_needs_a_comment_and_restores_the_balance(make_indicator, pay, chief):
    ind = make_indicator("100.00")
    app = pay(ind, "30.00")
    with pytest.raises(FinanceRuleError):
        payments.reject(app, chief, " ")
    payments.reject(app, chief, "发票不全")
    assert refresh(ind).balance == D("100.00") and refresh(app).status == PaymentStatus.REJECTED
    with pytest.raises(FinanceRuleError) as exc:
        payments.approve(app, chief)
    assert exc.value.rule == "state" and "业务状态规则" in exc.value.text


@pytest.mark.parametrize("amount, rule", [("10.005", "amount_precision"), ("-10.00", "amount_negative"),
                                          ("0.00", "amount_positive"), ("十元", "amount_invalid")])
def test_bad_amounts_are_refused_and_nothing_changes(make_indicator, pay, amount, rule):
    ind = make_indicator("100.00")
    before = state(ind)
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, amount)
    assert exc.value.rule == rule and exc.value.text.startswith("【")
    assert state(ind) == before


def test_an_invalid_payment_type_for_the_year_is_refused(make_indicator, pay):
    ind = make_indicator("100.00")
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "1.00", payment_type="9999")
    assert exc.value.rule == "code_invalid" and "支付方式" in exc.value.text


# --- payment plans ------------------------------------------------------------------------------

def test_plans_control_payments_per_month(make_indicator, pay, clerk, chief, plans_on):
    ind = make_indicator("1000.00")
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "10.00", month=3)
    assert exc.value.rule == "plan_missing" and "用款计划控制规则" in exc.value.text
    plan = payments.create_plan(ind, 3, "100.00", clerk)
    with pytest.raises(FinanceRuleError):
        pay(ind, "10.00", month=3)  # not approved yet
    with pytest.raises(FinanceRuleError) as exc:
        payments.approve_plan(plan, clerk)
    assert exc.value.rule in ("permission", "creator_approves")
    payments.approve_plan(plan, chief)
    app = pay(ind, "80.00", month=3)
    assert refresh(plan).used == D("80.00")
    before = state(ind)
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "20.01", month=3)
    assert exc.value.rule == "plan_overspend" and "20.00" in exc.value.text
    assert state(ind) == before
    payments.reject(app, chief, "重报")
    assert refresh(plan).used == 0


def test_plans_cannot_exceed_the_indicator(make_indicator, clerk):
    ind = make_indicator("100.00")
    payments.create_plan(ind, 1, "60.00", clerk)
    with pytest.raises(FinanceRuleError) as exc:
        payments.create_plan(ind, 2, "40.01", clerk)
    assert exc.value.rule == "plan_exceeds_indicator"


def test_plans_can_be_switched_off(make_indicator, pay, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    app = pay(make_indicator("100.00"), "10.00", month=5)
    assert app.plan is None


# --- refunds ------------------------------------------------------------------------------------

def paid(app, chief):
    """Approve and mark paid as the bank would (the bank round trip itself is in test_bank.py)."""
    payments.approve(app, chief)
    PaymentApplication.objects.filter(pk=app.pk).update(status=PaymentStatus.SENT)
    payments.mark_paid(app, refresh(app).voucher.issued_at.date(), "P1", chief)
    return refresh(app)


def test_refunds_never_exceed_the_payment_and_restore_the_balances(make_indicator, pay, chief):
    ind = make_indicator("100.00")
    app = paid(pay(ind, "50.00"), chief)
    payments.refund(app, "20.00", chief, reason="多付退回")
    assert (refresh(ind).balance, refresh(app).refunded) == (D("70.00"), D("20.00"))
    before = state(ind)
    with pytest.raises(FinanceRuleError) as exc:
        payments.refund(app, "30.01", chief, reason="再退")
    assert exc.value.rule == "refund_exceeds" and "退款限额规则" in exc.value.text and "50.00" in exc.value.text
    assert state(ind) == before
    payments.refund(app, "30.00", chief, reason="全部退回")
    assert refresh(ind).balance == D("100.00") and indicators.breakdown(ind)["applied"] == 0


def test_only_paid_payments_can_be_refunded(make_indicator, pay, chief):
    app = pay(make_indicator("100.00"), "50.00")
    with pytest.raises(FinanceRuleError) as exc:
        payments.refund(app, "1.00", chief, reason="x")
    assert exc.value.rule == "state"


# --- monitoring ---------------------------------------------------------------------------------

@pytest.fixture
def rules(db):
    MonitorRule.objects.create(code="SG01", name="“三公”经费支出", kind="econ_codes", level="orange",
                               econ_prefixes="30212,30217,30231")
    MonitorRule.objects.create(code="XJ01", name="提取现金", kind="cash", level="yellow")
    MonitorRule.objects.create(code="XJ02", name="大额提取现金", kind="cash", level="red", threshold=D("50000"))
    MonitorRule.objects.create(code="GR01", name="向个人大额支付", kind="individual", level="orange",
                               threshold=D("50000"))
    MonitorRule.objects.create(code="DE01", name="单笔大额支付", kind="amount", level="blue", threshold=D("1000"))


def test_red_rules_block(make_indicator, pay, rules):
    ind = make_indicator("100000.00")
    before = state(ind)
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "60000.00", is_cash=True)
    assert exc.value.rule == "monitor_block" and "红色" in exc.value.text and "大额提取现金" in exc.value.text
    assert state(ind) == before


def test_orange_rules_need_an_attachment(make_indicator, pay, rules):
    ind = make_indicator("1000.00", econ="30217")
    with pytest.raises(FinanceRuleError) as exc:
        pay(ind, "200.00")
    assert exc.value.rule == "monitor_attachment" and "橙色" in exc.value.text and "说明附件" in exc.value.text
    app = pay(ind, "200.00", attachment=ContentFile(b"%PDF-1.4 x", name="接待审批单.pdf"))
    assert list(app.monitor_hits.values_list("rule__code", "level")) == [("SG01", "orange")]


def test_individual_threshold_and_yellow_and_blue_hits_are_recorded(make_indicator, pay, rules):
    ind = make_indicator("200000.00")
    with pytest.raises(FinanceRuleError):
        pay(ind, "50000.01", payee_is_individual=True)
    app = pay(ind, "2000.00", is_cash=True)
    assert sorted(app.monitor_hits.values_list("rule__code", flat=True)) == ["DE01", "XJ01"]
    assert MonitorHit.objects.filter(level="yellow").count() == 1


def test_every_step_is_audited(make_indicator, pay, chief):
    ind = make_indicator("100.00")
    app = pay(ind, "10.00")
    payments.approve(app, chief)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"finance.indicator.issue", "finance.payment.create", "finance.payment.approve",
            "finance.ledger.post"} <= actions
    assert IndicatorTransaction.objects.get(payment=app).status == DecisionStatus.APPROVED


def test_an_annual_plan_spreads_the_budget_and_needs_a_second_person(make_indicator, clerk, chief):
    ind = make_indicator("1000.00")
    payments.create_plan(ind, 1, "100.00", clerk)
    plans = payments.create_annual_plan(ind, clerk)
    assert [p.month for p in plans] == list(range(2, 13))
    assert sum(p.amount for p in PaymentPlan.objects.filter(indicator=ind)) == D("1000.00")
    clerk.user_permissions.add(*chief.user_permissions.all())
    clerk = type(clerk).objects.get(pk=clerk.pk)
    with pytest.raises(FinanceRuleError) as exc:
        payments.approve_plans(ind, clerk)
    assert exc.value.rule == "creator_approves"
    assert payments.approve_plans(ind, chief) == 12
    assert not PaymentPlan.objects.filter(indicator=ind, status=DecisionStatus.PENDING).exists()
