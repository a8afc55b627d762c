"""Debt is a treasury-level module: a township's staff neither see nor act on it, whatever their
permissions (every screen is a 404, as the treasury's other installation-wide screens)."""

import datetime as dt

import pytest

from core_finance.debt import services
from core_finance.debt.models import DebtInstrument, FiscalCapacity, Repayment
from core_finance.errors import FinanceRuleError
from tests.core_finance.debt.test_debt import loan

pytestmark = pytest.mark.django_db


def test_every_debt_screen_and_action_is_closed_to_a_township(client, otp_login, township_user, dclerk,
                                                                from_budget):
    inst = loan(dclerk, issue_date=dt.date.today() - dt.timedelta(days=20))
    line = inst.lines.get(seq=1)
    user, password, device = township_user("finance_debt")
    otp_login(client, user.username, password, device)
    for url in ("/admin/finance/debt/", "/admin/finance/debt/?year=2026", "/admin/finance/debt/new/",
                f"/admin/finance/debt/{inst.pk}/"):
        assert client.get(url).status_code == 404, url
    posts = {"/admin/finance/debt/new/": {"name": "乡镇贷款", "kind": "loan", "creditor": "农商行", "amount": "100.00",
                                          "annual_rate": "3", "issue_date": "2026-01-01", "term_months": "12",
                                          "method": "bullet", "frequency": "1"},
             f"/admin/finance/debt/lines/{line.pk}/repay/": {"source": "refinancing"},
             "/admin/finance/debt/capacity/": {"year": "2026", "capacity": "1000.00"}}
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert DebtInstrument.objects.count() == 1 and not Repayment.objects.exists()
    assert not FiscalCapacity.objects.exists()
    assert "/admin/finance/debt/" not in client.get("/admin/").content.decode()  # no menu item either


def test_the_debt_services_refuse_a_township(township_user, dclerk, from_budget):
    line = loan(dclerk).lines.get(seq=1)
    user, _password, _device = township_user("finance_debt")
    for action in (lambda: loan(user),
                   lambda: services.record_repayment(line, user=user, source="refinancing"),
                   lambda: services.enter_capacity(2026, "1000.00", user)):
        with pytest.raises(FinanceRuleError) as exc:
            action()
        assert exc.value.rule == "debt_home_only"
    assert not Repayment.objects.exists() and DebtInstrument.objects.count() == 1


def test_home_staff_see_the_debt_menu(client, make_user, otp_login):
    from django.contrib.auth.models import Permission

    user, password, device = make_user("home_staff", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_debtinstrument"]))
    otp_login(client, user.username, password, device)
    assert "/admin/finance/debt/" in client.get("/admin/").content.decode()
    assert client.get("/admin/finance/debt/").status_code == 200
