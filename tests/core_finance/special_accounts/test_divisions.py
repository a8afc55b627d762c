"""Special accounts are the treasury's: staff of a township neither see nor act on them — every
screen, listing and export is a 404 for them, the menu hides them, the services refuse them."""

import os

import pytest
from django.contrib.auth.models import Permission

from core_finance.errors import FinanceRuleError
from core_finance.special_accounts import services, statements
from core_finance.special_accounts.models import SpecialTransaction
from tests.core_finance.special_accounts.conftest import module_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_clerk(db):
    from core_finance.models import DivisionMembership, FiscalDivision

    town = FiscalDivision.objects.create(code="610326100", name="首善镇", level="township",
                                         parent=FiscalDivision.home())
    user = module_user("town_clerk", "科员")
    DivisionMembership.objects.create(user=user, division=town)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def login(client, otp_login):
    from common.accounts.otp import ensure_totp

    def do(user):
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        device = ensure_totp(user, os.urandom(20).hex())
        otp_login(client, user.username, "Correct-Horse-42", device)
        return client

    return do


def test_a_township_user_cannot_reach_the_special_account_screens(funded, township_clerk, login):
    tx = funded.transactions.get()
    client = login(township_clerk)
    for url in ("/admin/finance/special-accounts/", "/admin/finance_special_accounts_list/",
                "/admin/finance_special_accounts_list/?export=xlsx", f"/admin/finance_special_accounts_list/edit/{funded.pk}/",
                "/admin/finance_special_records/", "/admin/finance_special_records/?export=xlsx",
                f"/admin/finance_special_records/inspect/{tx.pk}/"):
        assert client.get(url).status_code == 404, url
    response = client.post("/admin/finance/special-accounts/records/new/", {
        "account": funded.pk, "direction": "receipt", "amount": "1.00", "counterparty": "x", "purpose": "y"})
    assert response.status_code == 404 and SpecialTransaction.objects.count() == 1
    assert "/admin/finance/special-accounts/" not in client.get("/admin/").content.decode()


def test_the_home_division_sees_them(funded, sa_auditor, login):
    client = login(sa_auditor)
    assert client.get("/admin/finance/special-accounts/").status_code == 200
    assert "/admin/finance/special-accounts/" in client.get("/admin/").content.decode()


def test_the_services_refuse_a_township_user(funded, township_clerk):
    with pytest.raises(FinanceRuleError) as exc:
        services.create_transaction(funded, "receipt", "1.00", counterparty="x", purpose="y", user=township_clerk)
    assert exc.value.rule == "sa_home"
    with pytest.raises(FinanceRuleError) as exc:
        statements.import_statement(b"x", "s.csv", township_clerk)
    assert exc.value.rule == "sa_home"


def test_a_chief_voids_a_record_on_screen(funded, sa_clerk, sa_chief, login):
    tx = services.approve(services.create_transaction(funded, "disbursement", "300.00", counterparty="x",
                                                      purpose="发放", user=sa_clerk), sa_chief)
    client = login(sa_chief)
    page = client.get("/admin/finance/special-accounts/").content.decode()
    assert f"/admin/finance/special-accounts/records/{tx.pk}/void/" in page
    response = client.post(f"/admin/finance/special-accounts/records/{tx.pk}/void/", {"reason": "收款人账号错误"},
                           follow=True)
    assert "已作废，总账凭证已红字冲销。" in response.content.decode()
    funded.refresh_from_db()
    assert SpecialTransaction.objects.get(pk=tx.pk).status == "voided"
    assert funded.balance == 1000 == services.ledger_balance(funded)
