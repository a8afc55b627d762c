"""The demo: a county with two townships, staff in each, and a special fund traced to paid payments."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from core_finance.models import DivisionMembership, FiscalDivision, PaymentStatus

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_traces_its_fund(codes, settings):
    from core_finance.demo import ROLE_PERMS
    from core_finance.divisions import demo
    from core_finance.divisions.models import SpecialFund
    from core_finance.divisions.services import funds, supervision

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JINCAI_FINANCE_PAYMENT_PLANS = True  # as in setup_demo: payments need an approved plan
    for role, codenames in ROLE_PERMS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="core_finance",
                                                         codename__in=codenames))
    accounts = demo.load_demo()
    demo.load_demo()
    assert {a["username"] for a in accounts} >= {"sunwei", "lijuan", "zhanghua"}
    assert FiscalDivision.objects.get(code="610326100").parent.code == "610326"
    county = DivisionMembership.objects.get(user__username="sunwei")
    fund = SpecialFund.objects.get(code=demo.FUND_CODE)
    nodes = funds.trace(fund, county.user)
    assert [n.depth for n in nodes] == [0, 1, 1]
    statuses = sorted(a.status for n in nodes for a in n.payments)
    assert statuses == [PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.RESERVED]
    assert supervision.awaiting_review(2026, county.user)[0].payee_name == "刘建国"
    assert SpecialFund.objects.count() == 1
