"""Subsidy fixtures: households with valid identity numbers, a programme on an indicator, users."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core_finance.payroll.rules import with_check_digit
from tests.core_finance.payroll.conftest import grant

D = Decimal
NAMES = ["张小三", "李四", "王二麻", "赵六", "欧阳小明"]


@pytest.fixture
def households(db):
    from core_finance.subsidies.models import Household

    return [Household.objects.create(
        head_name=name, id_number=with_check_digit(f"6103021975050{n:03d}1"), town="硖石镇", village="林家村",
        card_number=f"62170000{n:08d}", card_bank="宝鸡农商银行", area_mu=D("3.50") + n)
        for n, name in enumerate(NAMES)]


@pytest.fixture
def sclerk(clerk):
    return grant(clerk, "finance_subsidies.add_batch", "finance_subsidies.view_batch")


@pytest.fixture
def sapprover(chief):
    return grant(chief, "finance_subsidies.approve_batch", "finance_subsidies.view_batch",
                 "finance_subsidies.publish_batch")


@pytest.fixture
def programme(make_indicator, settings):
    from core_finance.subsidies.models import Programme

    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    indicator = make_indicator("10000.00", econ="30305")
    return Programme.objects.create(year=2026, name="耕地地力保护补贴", legal_basis="陕财办农〔2026〕5号",
                                    basis="area", standard=D("105.37"), indicator=indicator,
                                    payout_account="2701000000001", payout_bank="宝鸡农商银行")
