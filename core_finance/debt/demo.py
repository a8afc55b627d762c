"""Debt demo (idempotent): debt-service codes, a principal (231) and an interest (232) indicator,
two bonds and a loan with their schedules, repayments from the budget, a fiscal capacity figure and the due-date alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from core_finance.debt import services
from core_finance.debt.codes import debt_codes_csv
from core_finance.debt.models import DebtInstrument, FundSource
from core_finance.debt.schedule import add_months
from core_finance.models import Agency, Indicator
from core_finance.services import indicators, payments
from core_finance.services.base import today
from core_finance.services.codes import load_codes

VIEW = ["view_debtinstrument", "view_scheduleline", "view_repayment", "view_duealert",
        "view_fiscalcapacity"]
ROLE_PERMS = {"科员": VIEW + ["add_debtinstrument", "repay_debtinstrument"],
              "科长": VIEW + ["enter_fiscalcapacity"], "局领导": VIEW, "审计员": VIEW}


def grant() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_debt",
                                                         codename__in=codenames))


def load_demo():
    grant()
    if DebtInstrument.objects.exists():
        return None
    year = today().year
    for y in {2025, 2026, year}:
        load_codes(debt_codes_csv(y))
    User = get_user_model()
    clerk, chief = User.objects.get(username="wangfang"), User.objects.get(username="zhaolei")
    unit = Agency.objects.get(code="101001")

    def service_indicator(functional, dept_econ, amount, number, note):
        found = Indicator.objects.filter(year=year, functional__code=functional).first()
        if found is None:
            found = indicators.issue(year=year, agency=unit, functional=functional, dept_econ=dept_econ,
                                     funding="11", amount=Decimal(amount), doc_number=f"宝财债〔{year}〕{number}号",
                                     user=chief, note=note)
            # The year's debt service falls in one month's plan: debt service is paid when due.
            plan = payments.create_plan(found, today().month, amount, clerk)
            payments.approve_plan(plan, chief)
        return found

    interest = service_indicator("2320301", "30701", "50000000.00", 3, "地方政府一般债券付息")
    principal = service_indicator("2310301", "39999", "60000000.00", 4, "地方政府一般债务还本")
    soon = today() + dt.timedelta(days=10)
    bond = services.create_instrument(
        name=f"{soon.year - 2}年陕西省政府一般债券（宝鸡市转贷）", kind="general_bond", creditor="2205xxxx 陕西省财政厅",
        amount="1200000000.00", annual_rate="3.2500", issue_date=add_months(soon, -24), term_months=60,
        method="bullet", frequency=1, user=clerk, purpose="城市道路改造")
    services.create_instrument(
        name="棚户区改造专项债券", kind="special_bond", creditor="2305xxxx 陕西省财政厅", amount="800000000.00",
        annual_rate="3.0800", issue_date=add_months(today(), -5), term_months=84, method="installment",
        frequency=2, user=clerk, purpose="渭滨区棚户区改造")
    loan = services.create_instrument(
        name="国家开发银行污水处理厂贷款", kind="loan", creditor="国家开发银行陕西省分行", amount="300000000.00",
        annual_rate="4.1000", issue_date=add_months(today(), -14), term_months=120, method="annuity", frequency=4,
        user=clerk, purpose="污水处理厂提标改造")
    budget = {"user": clerk, "source": FundSource.BUDGET, "principal_indicator": principal,
              "interest_indicator": interest, "payee_name": "陕西省财政厅", "payee_account": "61001000000052500001",
              "payee_bank": "国家金库陕西省分库"}
    first = bond.lines.get(seq=1)  # interest only: the bond repays its principal at maturity
    services.record_repayment(first, paid_on=first.due_date, **budget)
    # The loan's instalments so far were paid from the plant's sewage charges (项目收益), the latest
    # from the budget: principal and interest as two payments on their own indicators.
    past = list(loan.lines.filter(due_date__lt=today()))
    for line in past[:-1]:
        services.record_repayment(line, user=clerk, source=FundSource.PROJECT, paid_on=line.due_date,
                                  reference=f"污水处理费专户 {line.due_date:%Y%m}")
    if past:
        services.record_repayment(past[-1], paid_on=past[-1].due_date,
                                  **{**budget, "payee_name": "国家开发银行陕西省分行",
                                     "payee_account": "61050161010000000888", "payee_bank": "国家开发银行陕西省分行"})
    services.enter_capacity(year, "9800000000.00", chief, note="上年决算综合财力")
    services.raise_due_alerts()
    return None
