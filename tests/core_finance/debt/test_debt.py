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


def test_a_budget_repayment_pays_principal_and_interest_from_their_own_indicators(dclerk, chief, from_budget):
    principal_ind, interest_ind = from_budget["principal_indicator"], from_budget["interest_indicator"]
    inst = loan(dclerk)
    line = inst.lines.get(seq=1)
    rep = services.record_repayment(line, user=dclerk, **from_budget)
    p, i = rep.principal_payment, rep.interest_payment
    assert (p.amount, p.indicator, p.status) == (D("396.03"), principal_ind, PaymentStatus.RESERVED)
    assert (i.amount, i.indicator, i.status) == (D("12.00"), interest_ind, PaymentStatus.RESERVED)
    assert p.amount + i.amount == line.total == rep.amount == D("408.03")
    assert p.functional.code.startswith("231") and i.functional.code.startswith("232")
    assert refresh(principal_ind).balance == D("20000000.00") - D("396.03")
    assert refresh(interest_ind).balance == D("10000000.00") - D("12.00")
    assert refresh(line).status == LineStatus.PAID
    with pytest.raises(FinanceRuleError) as exc:  # each line is paid once
        services.record_repayment(line, user=dclerk, source="refinancing")
    assert exc.value.rule == "debt_already_paid"
    for app in (p, i):
        payments.approve(app, chief)  # approved by someone other than its creator, as every payment
        assert refresh(app).status == PaymentStatus.APPROVED


def test_the_split_sums_to_each_line_and_a_zero_part_makes_no_payment(dclerk, from_budget):
    from core_finance.models import PaymentApplication

    schedule = loan(dclerk).lines.all()
    for line in schedule:
        rep = services.record_repayment(line, user=dclerk, **from_budget)
        assert rep.principal_payment.amount + rep.interest_payment.amount == line.total
    bond = loan(dclerk, kind="general_bond", method="bullet", term_months=24, frequency=1)
    interest_only = bond.lines.get(seq=1)  # a bullet bond repays no principal before maturity
    before = PaymentApplication.objects.count()
    rep = services.record_repayment(interest_only, user=dclerk, source="budget",
                                    interest_indicator=from_budget["interest_indicator"])
    assert rep.principal_payment is None and rep.interest_payment.amount == interest_only.total == D("144.00")
    assert PaymentApplication.objects.count() == before + 1


@pytest.mark.parametrize("swap,rule,text", [
    ({"principal_indicator": "interest"}, "debt_not_principal", "不能用于偿还本金"),
    ({"interest_indicator": "principal"}, "debt_not_interest", "不能用于支付利息"),
    ({"principal_indicator": "office"}, "debt_not_principal", "231"),
    ({"interest_indicator": None}, "debt_interest_indicator_needed", "232"),
    ({"principal_indicator": None}, "debt_principal_indicator_needed", "231"),
])
def test_an_indicator_of_the_wrong_class_is_refused_in_chinese(dclerk, from_budget, make_indicator, swap, rule, text):
    from django.utils import translation

    chosen = {"principal": from_budget["principal_indicator"], "interest": from_budget["interest_indicator"],
              "office": make_indicator("5000.00", econ="30201"), None: None}
    kwargs = {**from_budget, **{k: chosen[v] for k, v in swap.items()}}
    line = loan(dclerk).lines.get(seq=1)
    with translation.override("zh-hans"), pytest.raises(FinanceRuleError) as exc:
        services.record_repayment(line, user=dclerk, **kwargs)
    assert exc.value.rule == rule and text in exc.value.text and "债务" in exc.value.text
    assert refresh(from_budget["principal_indicator"]).balance == D("20000000.00")
    assert refresh(from_budget["interest_indicator"]).balance == D("10000000.00")
    assert not Repayment.objects.exists() and refresh(line).status == LineStatus.DUE


def test_an_interest_indicator_short_of_money_leaves_nothing_behind(dclerk, debt_codes, make_indicator,
                                                                     principal_indicator):
    from core_finance.models import PaymentApplication

    poor = make_indicator("11.99", econ="30701", func="2320301")  # the first period's interest is 12.00
    line = loan(dclerk).lines.get(seq=1)
    with pytest.raises(FinanceRuleError) as exc:
        services.record_repayment(line, user=dclerk, source="budget", principal_indicator=principal_indicator,
                                  interest_indicator=poor)
    assert exc.value.rule == "indicator_overspend"
    # The principal's reservation was made first and rolled back with the rest.
    assert refresh(principal_indicator).balance == D("20000000.00") and refresh(poor).balance == D("11.99")
    assert not PaymentApplication.objects.exists() and not Repayment.objects.exists()
    assert refresh(line).status == LineStatus.DUE


def test_a_rejected_part_voids_the_repayment_and_only_that_part_is_paid_again(dclerk, chief, from_budget):
    from core_finance.models import PaymentApplication

    line = loan(dclerk).lines.get(seq=2)
    rep = services.record_repayment(line, user=dclerk, **from_budget)
    payments.approve(rep.principal_payment, chief)
    payments.reject(rep.interest_payment, chief, "收款账户有误")
    assert services.release_failed() == 1
    assert refresh(line).status == LineStatus.DUE and refresh(rep).voided
    assert services.release_failed() == 0
    with pytest.raises(FinanceRuleError) as exc:  # the principal is on its way: no other source for the rest
        services.record_repayment(line, user=dclerk, source="refinancing")
    assert exc.value.rule == "debt_carried"
    again = services.record_repayment(line, user=dclerk, **from_budget)
    assert again.pk != rep.pk and refresh(line).status == LineStatus.PAID
    assert again.principal_payment == rep.principal_payment  # carried over, not paid twice
    assert again.interest_payment != rep.interest_payment and again.interest_payment.amount == line.interest
    assert PaymentApplication.objects.count() == 3
    assert refresh(from_budget["principal_indicator"]).balance == D("20000000.00") - line.principal
    assert refresh(from_budget["interest_indicator"]).balance == D("10000000.00") - line.interest


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


def test_the_debt_dashboard_and_instrument_screens(client, make_user, otp_login, dclerk, from_budget):
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


def test_the_repayment_form_offers_each_part_only_its_own_indicators(client, make_user, otp_login, dclerk,
                                                                      from_budget):
    principal_ind, interest_ind = from_budget["principal_indicator"], from_budget["interest_indicator"]
    inst = loan(dclerk)
    line = inst.lines.get(seq=1)
    user, password, device = make_user("debtpay", is_staff=True)
    user.user_permissions.set(dclerk.user_permissions.all())
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    otp_login(client, "debtpay", password, device)
    page = client.get(f"/admin/finance/debt/{inst.pk}/").content.decode()
    principal_select = page.split(f'id="id_line{line.pk}_principal_indicator"')[1].split("</select>")[0]
    interest_select = page.split(f'id="id_line{line.pk}_interest_indicator"')[1].split("</select>")[0]
    assert principal_ind.number in principal_select and interest_ind.number not in principal_select
    assert interest_ind.number in interest_select and principal_ind.number not in interest_select
    url = f"/admin/finance/debt/lines/{line.pk}/repay/"
    swapped = client.post(url, {"source": "budget", "principal_indicator": interest_ind.pk,
                                "interest_indicator": principal_ind.pk}, follow=True)
    assert "请检查还款表单" in swapped.content.decode() and not Repayment.objects.exists()
    missing = client.post(url, {"source": "budget", "principal_indicator": principal_ind.pk}, follow=True)
    assert "债务付息支出指标（功能分类 232 类）" in missing.content.decode() and not Repayment.objects.exists()
    client.post(url, {"source": "budget", "principal_indicator": principal_ind.pk,
                      "interest_indicator": interest_ind.pk})
    rep = Repayment.objects.get()
    assert (rep.principal_payment.indicator, rep.interest_payment.indicator) == (principal_ind, interest_ind)
    detail = client.get(f"/admin/finance/debt/{inst.pk}/").content.decode()
    assert rep.principal_payment.number in detail and rep.interest_payment.number in detail
