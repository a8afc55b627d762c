"""A county with two townships, staff in each, and indicators and payments in every division."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from tests.core_finance.conftest import role_user

YEAR = 2026


def member(user, division, supervises=False):
    from core_finance.models import DivisionMembership

    DivisionMembership.objects.update_or_create(user=user, defaults={"division": division, "supervises": supervises})
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def towns(codes, settings):
    """County 眉县 (supervisor 孙伟) with 首善镇 (A, county review from 50,000) and 横渠镇 (B)."""
    from core_finance.models import Agency, FiscalDivision
    from core_finance.services import indicators, payments

    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    home = FiscalDivision.home()
    county = FiscalDivision.objects.create(code="610326", name="眉县", level="county", parent=home)
    town_a = FiscalDivision.objects.create(code="610326100", name="首善镇", level="township", parent=county,
                                           review_threshold=Decimal("50000.00"))
    town_b = FiscalDivision.objects.create(code="610326101", name="横渠镇", level="township", parent=county)
    agencies = {}
    for code, name, division in (("301001", "眉县财政局（本级）", county), ("401001", "首善镇财政所", town_a),
                                 ("402001", "横渠镇财政所", town_b)):
        agencies[code] = Agency.objects.create(code=code, name=name, division=division, agent_bank="ICBC",
                                               zero_balance_account=f"ZBA-{code}")
    users = {
        "county_chief": member(role_user("county_chief", "科长"), county, supervises=True),
        "county_clerk": member(role_user("county_clerk", "科员"), county, supervises=True),
        "a_clerk": member(role_user("a_clerk", "科员"), town_a),
        "a_chief": member(role_user("a_chief", "科长"), town_a),
        "b_clerk": member(role_user("b_clerk", "科员"), town_b),
        "b_chief": member(role_user("b_chief", "科长"), town_b),
        "home_chief": role_user("home_chief", "科长"),
    }
    for name in ("county_clerk", "a_clerk", "b_clerk"):
        users[name].user_permissions.add(*Permission.objects.filter(
            content_type__app_label="finance_divisions", codename__in=["view_specialfund", "add_specialfund"]))
    for name in ("county_chief", "a_chief", "b_chief"):
        users[name].user_permissions.add(Permission.objects.get(content_type__app_label="finance_divisions",
                                                                codename="view_specialfund"))
    users = {k: type(u).objects.get(pk=u.pk) for k, u in users.items()}

    def issue(code, amount, econ="30227", func="2130153"):
        return indicators.issue(year=YEAR, agency=agencies[code], functional=func, dept_econ=econ, funding="11",
                                amount=Decimal(amount), doc_number="眉财预〔2026〕1号", user=users["county_chief"])

    inds = {"county": issue("301001", "500000.00"), "a": issue("401001", "200000.00"),
            "b": issue("402001", "150000.00")}

    def pay(ind, amount, user, **extra):
        values = {"payment_type": "5201", "payee_name": "眉县宏达农业工程有限公司", "payee_account": "6222020303007788990",
                  "payee_bank": "中国工商银行眉县支行", "purpose": "农田建设"}
        values.update(extra)
        return payments.create_application(indicator=ind, amount=amount, user=user, **values)

    a_paid = pay(inds["a"], "1200.00", users["a_clerk"])
    payments.approve(a_paid, users["a_chief"])
    b_pending = pay(inds["b"], "2000.00", users["b_clerk"])
    return {"home": home, "county": county, "a": town_a, "b": town_b, "agencies": agencies, "users": users,
            "inds": inds, "pay": pay, "issue": issue, "a_paid": a_paid, "b_pending": b_pending}


@pytest.fixture
def login(client, otp_login):
    """Log ``user`` (from the towns world) in with password + OTP and admin access."""
    import os

    from common.accounts.otp import ensure_totp

    def do(user):
        user.set_password("Correct-Horse-42")
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        device = ensure_totp(user, os.urandom(20).hex())
        client.logout()
        otp_login(client, user.username, "Correct-Horse-42", device)
        return client

    return do
