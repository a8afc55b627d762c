"""Debt: instruments, repayments through the budget, alerts, ratios, and the screens."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission

from core_finance.debt import services
from core_finance.debt.models import DueAlert, FiscalCapacity, LineStatus, Repayment
from core_finance.errors import FinanceRuleError
from core_finance.models import PaymentStatus
from core_finance.services import payments
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


def loan(user, **extra):
    values = {"name": "污水处理厂贷款", "kind": "loan", "creditor": "国家开发银行", "amount": "1200.00",
              "annual_rate": "12", "issue_date": dt.date(2026, 1, 31), "term_months": 3, "method": "annuity",
              "frequency": 12}
    values.update(extra)
    return services.create_instrument(user=user, **values)


def test_registering_a_loan_generates_its_schedule(dclerk):
    inst = loan(dclerk)
    assert inst.number.startswith("DK2026-")
    assert [(x.principal, x.interest) for x in inst.lines.all()] == [
        (D("396.03"), D("12.00")), (D("399.99"), D("8.04")), (D("403.98"), D("4.04"))]


@pytest.mark.parametrize("bad,rule", [({"term_months": 7, "frequency": 4}, "debt_term"),
                                      ({"annual_rate": "-1"}, "debt_rate"), ({"annual_rate": "abc"}, "debt_rate"),
                                      ({"amount": "12.345"}, "amount_precision"), ({"amount": "0"}, "amount_positive")])
def test_bad_instruments_are_refused(dclerk, bad, rule):
    with pytest.raises(FinanceRuleError) as exc:
        loan(dclerk, **bad)
    assert exc.value.rule == rule


def test_an_auditor_cannot_register_debt(auditor):
    with pytest.raises(FinanceRuleError) as exc:
        loan(auditor)
    assert exc.value.rule == "permission"


def test_a_budget_repayment_goes_through_a_payment_on_the_debt_service_indicator(dclerk, chief, service_indicator):
    inst = loan(dclerk)
    line = inst.lines.get(seq=1)
    rep = services.record_repayment(line, user=dclerk, source="budget", indicator=service_indicator)
    app = rep.payment
    assert app.amount == D("408.03") and app.indicator == service_indicator and app.status == PaymentStatus.RESERVED
    assert refresh(service_indicator).balance == D("10000000.00") - D("408.03")
    assert refresh(line).status == LineStatus.PAID
    with pytest.raises(FinanceRuleError) as exc:  # each line is paid once
        services.record_repayment(line, user=dclerk, source="refinancing")
    assert exc.value.rule == "debt_already_paid"
    payments.approve(app, chief)  # approved by someone other than its creator, as every payment
    assert refresh(app).status == PaymentStatus.APPROVED


def test_an_ordinary_indicator_cannot_pay_debt(dclerk, debt_codes, make_indicator, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    office = make_indicator("5000.00", econ="30201")
    line = loan(dclerk).lines.get(seq=1)
    with pytest.raises(FinanceRuleError) as exc:
        services.record_repayment(line, user=dclerk, source="budget", indicator=office)
    assert exc.value.rule == "debt_not_debt_service"
    with pytest.raises(FinanceRuleError):
        services.record_repayment(line, user=dclerk, source="budget", indicator=None)
    assert refresh(office).balance == D("5000.00") and not Repayment.objects.exists()
    assert refresh(line).status == LineStatus.DUE


def test_a_rejected_payment_leaves_the_line_unpaid(dclerk, chief, service_indicator):
    line = loan(dclerk).lines.get(seq=2)
    rep = services.record_repayment(line, user=dclerk, source="budget", indicator=service_indicator)
    payments.reject(rep.payment, chief, "收款账户有误")
    assert services.release_failed() == 1
    assert refresh(line).status == LineStatus.DUE and refresh(rep).voided
    again = services.record_repayment(line, user=dclerk, source="budget", indicator=service_indicator)
    assert again.pk != rep.pk and refresh(line).status == LineStatus.PAID


def test_due_alerts_come_30_7_and_1_days_ahead_once_each(dclerk):
    inst = loan(dclerk)  # due 2026-02-28, 03-31, 04-30
    assert services.raise_due_alerts(dt.date(2026, 1, 28)) == 0  # 31 days before 02-28: nothing yet
    assert services.raise_due_alerts(dt.date(2026, 1, 29)) == 1
    first = inst.lines.get(seq=1)
    assert set(DueAlert.objects.filter(line=first).values_list("days_before", flat=True)) == {30}
    assert services.raise_due_alerts(dt.date(2026, 1, 29)) == 0  # idempotent
    services.raise_due_alerts(dt.date(2026, 2, 21))
    services.raise_due_alerts(dt.date(2026, 2, 27))
    assert sorted(DueAlert.objects.filter(line=first).values_list("days_before", flat=True)) == [1, 7, 30]
    services.record_repayment(inst.lines.get(seq=2), user=dclerk, source="refinancing")
    services.raise_due_alerts(dt.date(2026, 3, 30))  # line 2 is paid: no alert for it
    assert not DueAlert.objects.filter(line__seq=2).exists()
    services.raise_due_alerts(dt.date(2026, 5, 2))  # line 3 is overdue
    assert DueAlert.objects.filter(line__seq=3, days_before=-1).exists()


def test_the_beat_task_is_registered_with_a_time_limit(settings):
    from core_finance.debt.tasks import due_alerts_task

    assert settings.CELERY_BEAT_SCHEDULE["finance-debt-alerts"]["task"] == "finance_debt.due_alerts"
    assert due_alerts_task.time_limit and due_alerts_task.time_limit <= 600
    assert due_alerts_task() >= 0  # runs without a broker


def test_debt_ratios_and_their_warning_lines(dclerk, dchief, clerk):
    big = loan(dclerk, amount="900000.00", issue_date=dt.date(2025, 1, 1), term_months=36, frequency=1,
               method="bullet", annual_rate="10")
    r = services.ratios(2025)
    assert r["capacity"] is None and r["debt_ratio"] is None  # no figure, no ratio
    with pytest.raises(FinanceRuleError):
        services.enter_capacity(2025, "1000000.00", clerk)  # a clerk without the permission
    services.enter_capacity(2025, "1000000.00", dchief)
    r = services.ratios(2025)
    assert r["balance"] == D("900000.00") and r["debt_ratio"] == D("90.00") and not r["debt_alarm"]
    assert r["service"] == D("0.00") and r["service_ratio"] == D("0.00")
    services.record_repayment(big.lines.get(seq=1), user=dclerk, source="refinancing",
                              paid_on=dt.date(2026, 1, 1))
    r = services.ratios(2026)
    assert r["capacity"] is None
    services.enter_capacity(2026, "500000.00", dchief)
    r = services.ratios(2026)
    assert r["service"] == D("90000.00") and r["service_ratio"] == D("18.00") and not r["service_alarm"]
    assert r["debt_ratio"] == D("180.00") and r["debt_alarm"]
    assert FiscalCapacity.objects.count() == 2


def test_the_debt_dashboard_and_instrument_screens(client, make_user, otp_login, dclerk, service_indicator):
    inst = loan(dclerk, issue_date=dt.date.today() - dt.timedelta(days=20))
    services.raise_due_alerts()
    user, password, device = make_user("debtview", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_debtinstrument"]))
    otp_login(client, "debtview", password, device)
    page = client.get("/admin/finance/debt/").content.decode()
    assert "债务率" in page and inst.number in page and "<svg" in page
    detail = client.get(f"/admin/finance/debt/{inst.pk}/").content.decode()
    assert "396.03" in detail and "1200.00" in detail
    refused = client.post(f"/admin/finance/debt/lines/{inst.lines.first().pk}/repay/", {"source": "refinancing"})
    assert refused.status_code in (302, 403) and not Repayment.objects.exists()
