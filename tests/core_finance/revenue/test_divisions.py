"""The revenue database is a treasury-level module: a township's staff get a 404 on every screen,
export and action, see no menu item, and the services refuse them."""

import io

import pytest

from core_finance.errors import FinanceRuleError
from core_finance.revenue import portal, services
from core_finance.revenue.models import (
    ImportBatch,
    RevenueBudget,
    RevenueCode,
    RevenuePublication,
    RevenueRecord,
)
from tests.core_finance.revenue.conftest import csv_file

pytestmark = pytest.mark.django_db
OFFICE = "国家税务总局宝鸡市渭滨区税务局"


@pytest.fixture
def town(client, otp_login, township_user, rclerk):
    services.import_file(csv_file(f"2026-03-01,10101,{OFFICE},600.00"), "a.csv", rclerk)
    budget = services.set_budget(2026, RevenueCode.objects.get(code="10101"), "1500.00", rclerk)
    user, password, device = township_user("finance_revenue")
    otp_login(client, user.username, password, device)
    return {"client": client, "user": user, "budget": budget, "record": RevenueRecord.objects.get()}


def test_every_revenue_screen_and_export_is_a_404_for_a_township(town):
    client, budget, record = town["client"], town["budget"], town["record"]
    code = RevenueCode.objects.get(code="10101")
    for url in ("/admin/finance/revenue/", "/admin/finance/revenue/?as_of=2026-06-30&format=xlsx",
                "/admin/finance/revenue/import/",
                "/admin/finance_revenue_records/", "/admin/finance_revenue_records/?export=xlsx",
                "/admin/finance_revenue_records/?export=csv", "/admin/finance_revenue_records/results/",
                "/admin/finance_revenue_budgets/", "/admin/finance_revenue_budgets/?export=xlsx",
                "/admin/finance_revenue_budgets/new/", f"/admin/finance_revenue_budgets/edit/{budget.pk}/",
                f"/admin/finance_revenue_budgets/history/{budget.pk}/",
                "/admin/finance_revenue_codes/", "/admin/finance_revenue_codes/?export=csv",
                f"/admin/finance_revenue_codes/edit/{code.pk}/", f"/admin/finance_revenue_codes/delete/{code.pk}/",
                f"/admin/finance_revenue_records/history/{record.pk}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert OFFICE not in response.content.decode(errors="replace") and b"600.00" not in response.content, url


def test_every_revenue_action_is_refused_to_a_township(town):
    client = town["client"]
    upload = io.BytesIO(csv_file(f"2026-03-02,10101,{OFFICE},1.00"))
    upload.name = "town.csv"
    assert client.post("/admin/finance/revenue/import/", {"file": upload}).status_code == 404
    assert client.post("/admin/finance/revenue/publish/", {"as_of": "2026-06-30"}).status_code == 404
    assert client.post("/admin/finance_revenue_budgets/new/", {"year": "2026", "code": RevenueCode.objects.first().pk,
                                                                "amount": "1.00"}).status_code == 404
    assert client.post(f"/admin/finance_revenue_budgets/delete/{town['budget'].pk}/").status_code == 404
    assert ImportBatch.objects.count() == 1 and RevenueBudget.objects.count() == 1
    assert not RevenuePublication.objects.exists()
    assert "/admin/finance/revenue/" not in client.get("/admin/").content.decode()  # no menu item either


def test_the_revenue_services_refuse_a_township(town):
    import datetime as dt

    user = town["user"]
    for action in (lambda: services.import_file(csv_file(f"2026-03-02,10101,{OFFICE},1.00"), "t.csv", user),
                   lambda: services.set_budget(2026, RevenueCode.objects.first(), "1.00", user),
                   lambda: portal.publish(dt.date(2026, 6, 30), user)):
        with pytest.raises(FinanceRuleError) as exc:
            action()
        assert exc.value.rule == "revenue_home_only"
    assert ImportBatch.objects.count() == 1 and not RevenuePublication.objects.exists()
