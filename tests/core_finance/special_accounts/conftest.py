"""Fixtures of the special account tests: users with the module's role permissions, accounts."""

from __future__ import annotations

import pytest

from core_finance.special_accounts.demo import ROLE_PERMS
from tests.core_finance.conftest import role_user


def module_user(username: str, role: str):
    return role_user(username, role, [("finance_special_accounts", ROLE_PERMS)])


@pytest.fixture
def sa_clerk(db):
    return module_user("sa_clerk", "科员")


@pytest.fixture
def sa_chief(db):
    return module_user("sa_chief", "科长")


@pytest.fixture
def sa_auditor(db):
    return module_user("sa_auditor", "审计员")


@pytest.fixture
def account(db):
    from core_finance.special_accounts.models import SpecialAccount

    return SpecialAccount.objects.create(bank="CCB", bank_name="中国建设银行宝鸡分行", account_no="61050160220000001234",
                                         name="宝鸡市社会保险基金财政专户", purpose="社会保险基金收支", fund_type="social")


@pytest.fixture
def funded(account, sa_clerk, sa_chief):
    """The account with 1,000.00 received and approved."""
    from core_finance.special_accounts import services

    tx = services.create_transaction(account, "receipt", "1000.00", counterparty="宝鸡市社会保险经办中心",
                                     purpose="保险费归集", user=sa_clerk)
    services.approve(tx, sa_chief)
    account.refresh_from_db()
    return account
