"""Payroll fixtures: pay items, a wage indicator, a clerk, a personnel officer and an approver."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from tests.core_finance.conftest import role_user

D = Decimal
PERIOD = 202603


def grant(user, *perms):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def items(db):
    from core_finance.payroll.models import PayItem

    made = {}
    for code, name, kind, econ, method, rate, base, pos in [
        ("JBGZ", "基本工资", "earning", "30101", "fixed", None, True, 1),
        ("JTBT", "津贴补贴", "earning", "30102", "fixed", None, True, 2),
        ("JXGZ", "绩效工资", "earning", "30107", "fixed", None, False, 3),
        ("YLBX", "养老保险（个人）", "withholding", "30108", "rate", "8", False, 1),
        ("GJJ", "住房公积金（个人）", "withholding", "30113", "rate", "12", False, 2),
        ("GS", "个人所得税", "withholding", "30101", "fixed", None, False, 3),
    ]:
        payee = {} if kind == "earning" else {"payee_name": f"{name}收款户", "payee_account": f"WH-{code}",
                                              "payee_bank": "中国工商银行宝鸡分行"}
        made[code] = PayItem.objects.create(code=code, name=name, kind=kind, econ_code=econ, method=method,
                                            rate=D(rate) if rate else None, in_base=base, position=pos, **payee)
    return made


@pytest.fixture
def pclerk(clerk):
    return grant(clerk, "finance_payroll.add_personnelchange", "finance_payroll.add_payrollrun",
                 "finance_payroll.view_payrollrun", "finance_payroll.view_payslip")


@pytest.fixture
def personnel(db):
    user = role_user("renshi", "审计员")
    return grant(user, "finance_payroll.approve_personnelchange", "finance_payroll.add_personnelchange")


@pytest.fixture
def papprover(chief):
    return grant(chief, "finance_payroll.approve_payrollrun", "finance_payroll.view_payrollrun",
                 "finance_payroll.view_payslip")


@pytest.fixture
def wage_indicator(make_indicator, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    return make_indicator("100000.00", econ="30101")


@pytest.fixture
def hire(agency, items, pclerk, personnel):
    """Hire a person through an approved request; returns the Staff."""
    from core_finance.payroll.services import changes

    counter = iter(range(100))

    def make(name="李明", amounts=None, period=PERIOD, id_number=None, unit=None, **data):
        n = next(counter)
        base = f"610302198{n % 10}0101{n:02d}1"[:17]
        from core_finance.payroll.rules import with_check_digit

        number = id_number or with_check_digit(base)
        change = changes.request(unit or agency, "hire", pclerk, effective_from=period, reason="公开招聘", data={
            "name": name, "id_number": number, "position": "科员", "grade": "二级科员",
            "bank_card": f"62220203030{n:08d}", "bank_name": "中国工商银行宝鸡分行", **data},
            amounts=amounts or {"JBGZ": "3500.00", "JTBT": "1200.00", "JXGZ": "800.00", "GS": "45.00"})
        return changes.decide(change, personnel, True).staff

    return make
