"""Fixtures of the non-tax revenue tests: users in roles (with the special accounts' permissions
too, since remittances book receipts there), items, notices and a helper delivering bank files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core_finance.nontax.demo import ROLE_PERMS
from core_finance.special_accounts.demo import ROLE_PERMS as SA_PERMS
from tests.core_finance.conftest import role_user

TODAY = dt.date(2026, 11, 30)


def module_user(username: str, role: str):
    return role_user(username, role, [("finance_nontax", ROLE_PERMS), ("finance_special_accounts", SA_PERMS)])


@pytest.fixture
def nt_clerk(db):
    return module_user("nt_clerk", "科员")


@pytest.fixture
def nt_chief(db):
    return module_user("nt_chief", "科长")


@pytest.fixture
def nt_auditor(db):
    return module_user("nt_auditor", "审计员")


@pytest.fixture
def special(db):
    from core_finance.special_accounts.models import SpecialAccount

    return SpecialAccount.objects.create(bank="ICBC", bank_name="中国工商银行宝鸡分行营业部",
                                         account_no="2603020109024567890", name="宝鸡市财政局非税收入财政专户",
                                         purpose="非税收入收缴", fund_type="nontax")


@pytest.fixture
def collectors(db):
    """The collecting agencies (home division)."""
    from core_finance.models import Agency

    return {"land": Agency.objects.create(code="110", name="宝鸡市自然资源局", is_department=True),
            "city": Agency.objects.create(code="111", name="宝鸡市城市管理执法局", is_department=True)}


@pytest.fixture
def items(special, collectors):
    from core_finance.nontax.models import CollectionItem

    fixed = CollectionItem.objects.create(code="1030101", name="不动产登记费", agency=collectors["land"],
                                          standard_kind="fixed", fixed_amount=Decimal("80.00"),
                                          legal_basis="发改价格规〔2016〕2559号", target="treasury")
    ranged = CollectionItem.objects.create(code="1030601", name="户外广告位使用费", agency=collectors["city"],
                                           standard_kind="range", min_amount=Decimal("1000.00"),
                                           max_amount=Decimal("500000.00"), legal_basis="陕西省非税收入管理条例",
                                           target="special", special_account=special)
    return {"fixed": fixed, "range": ranged}


@pytest.fixture
def notice(items, nt_clerk):
    """A notice for 10,000.00 falling due on 2026-11-10, payable at ICBC."""
    from core_finance.nontax import services

    def make(item="range", amount="10000.00", due=dt.date(2026, 11, 10), payer="陕西秦风传媒广告有限公司", bank="ICBC"):
        return services.issue_notice(items[item], payer_name=payer, amount=amount, due_date=due, user=nt_clerk,
                                     bank=bank)

    return make


@pytest.fixture
def deliver(nt_clerk):
    """The simulated bank pays the given notices on ``paid_on``; returns the collection file's bytes."""
    from core_finance.nontax import banksim, collection

    def make(notices, paid_on=dt.date(2026, 11, 20), repeat=(), bank="ICBC"):
        _name, text = collection.notice_file(bank, on=paid_on)
        return banksim.simulate(text, paid_on.isoformat(), pay={n.payment_code for n in notices},
                                repeat={n.payment_code for n in repeat}).encode("utf-8")

    return make


def member(user, division):
    from core_finance.models import DivisionMembership

    DivisionMembership.objects.create(user=user, division=division)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def townships(db, special, nt_chief, deliver):
    """Two townships under the home division, each with a collecting agency, an item, staff and a
    notice paid at the bank (imported by the home division's chief)."""
    from core_finance.models import Agency, FiscalDivision
    from core_finance.nontax import collection, services
    from core_finance.nontax.models import CollectionItem

    home = FiscalDivision.home()
    world = {}
    for key, code, name in (("a", "610326100", "首善镇"), ("b", "610326101", "横渠镇")):
        division = FiscalDivision.objects.create(code=code, name=name, level="township", parent=home)
        agency = Agency.objects.create(code=f"4{code[-2:]}001", name=f"{name}财政所", division=division)
        item = CollectionItem.objects.create(code=f"10304{code[-2:]}", name=f"{name}集贸市场摊位费", agency=agency,
                                             standard_kind="fixed", fixed_amount=Decimal("120.00"),
                                             legal_basis="陕西省非税收入管理条例", target="treasury")
        clerk = member(module_user(f"{key}_clerk", "科员"), division)
        chief = member(module_user(f"{key}_chief", "科长"), division)
        notice = services.issue_notice(item, payer_name=f"{name}个体户", due_date=dt.date(2026, 12, 31), user=clerk)
        world[key] = {"division": division, "agency": agency, "item": item, "clerk": clerk, "chief": chief,
                      "notice": notice}
    collection.import_collection_file(deliver([world["a"]["notice"], world["b"]["notice"]]), "towns.csv", nt_chief)
    for key in ("a", "b"):
        world[key]["notice"].refresh_from_db()
    return world
