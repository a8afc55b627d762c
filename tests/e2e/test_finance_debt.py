"""Browser test of the debt dashboard: alerts, ratios and an instrument's schedule."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as admin_login

pytestmark = pytest.mark.browser


def test_the_debt_dashboard_shows_alerts_ratios_and_schedules(stack, browser):
    page = admin_login(browser, stack, "wangfang", "/admin/finance/debt/")
    expect(page.get_by_role("heading", name="到期提醒")).to_be_visible()
    expect(page.get_by_text("距到期").first).to_be_visible()
    expect(page.get_by_text("债务率（%），警戒线")).to_be_visible()
    page.get_by_role("link", name="一般债券（宝鸡市转贷）").first.click()
    expect(page.get_by_role("table", name="还本付息计划")).to_be_visible()  # waits for the page to load
    assert page.locator("td", has_text="39000000.00").count() >= 2  # 3.25 % on 1.2 billion, every year
    # The first year's interest was paid from the budget through the interest (232) indicator only.
    expect(page.get_by_text("利息: ZF").first).to_be_visible()
