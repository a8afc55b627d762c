"""Fixtures of the finance tests: the real 2026 code subset, agencies, users in roles, indicators."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q

from core_finance.demo import ROLE_PERMS

YEAR = 2026


def load_year(year: int = YEAR) -> None:
    from core_finance.reference_codes import codes_csv
    from core_finance.services.codes import load_codes

    load_codes(codes_csv(year))


@pytest.fixture
def codes(db):
    load_year(YEAR)


@pytest.fixture
def settings_plans_off(settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False


@pytest.fixture
def plans_on(settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = True


def role_user(username: str, role: str, modules=()):
    """A staff user with the core finance permissions of ``role`` and, for each ``(app_label,
    role_permissions)`` of ``modules``, that business module's permissions of the same role."""
    from django.contrib.auth import get_user_model

    perms = Q(content_type__app_label="core_finance", codename__in=ROLE_PERMS[role])
    for label, table in modules:
        perms |= Q(content_type__app_label=label, codename__in=table[role])
    user = get_user_model().objects.create_user(username=username, password="Correct-Horse-42", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(perms))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def clerk(db):
    return role_user("clerk", "科员")


@pytest.fixture
def chief(db):
    return role_user("chief", "科长")


@pytest.fixture
def chief2(db):
    return role_user("chief2", "科长")


@pytest.fixture
def auditor(db):
    return role_user("auditor", "审计员")


@pytest.fixture
def agency(db):
    from core_finance.models import Agency

    dept = Agency.objects.create(code="101", name="宝鸡市财政局", is_department=True, agent_bank="ICBC")
    return Agency.objects.create(code="101001", name="宝鸡市财政局（本级）", parent=dept, agent_bank="ICBC",
                                 zero_balance_account="ZBA-101001")


@pytest.fixture
def make_indicator(codes, agency, chief):
    from core_finance.services import indicators

    def make(amount="1000.00", econ="30201", func="2010601", funding="11", year=YEAR, unit=None):
        return indicators.issue(year=year, agency=unit or agency, functional=func, dept_econ=econ, funding=funding,
                                amount=Decimal(amount), doc_number="宝财预〔2026〕1号", user=chief)

    return make


@pytest.fixture
def pay(clerk, settings):
    """Create a payment application with sensible defaults (plans off unless a test turns them on)."""
    from core_finance.services import payments

    def create(indicator, amount, user=None, **extra):
        values = {"payment_type": "5201", "payee_name": "宝鸡文汇办公用品有限公司", "payee_account": "6222020303001234567",
                  "payee_bank": "中国工商银行宝鸡分行", "purpose": "办公用品"}
        values.update(extra)
        return payments.create_application(indicator=indicator, amount=amount, user=user or clerk, **values)

    if getattr(settings, "JINCAI_FINANCE_PAYMENT_PLANS", None) is None:
        settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    return create
