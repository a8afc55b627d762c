"""Browser test of the leaders' revenue dashboard: progress, forecast with its error, charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as admin_login

pytestmark = pytest.mark.browser


def test_the_revenue_dashboard_for_leaders(stack, browser):
    page = admin_login(browser, stack, "liuyang", "/admin/finance/revenue/")
    expect(page.get_by_role("heading", name="年末收入预测及其在以往年度的误差")).to_be_visible()
    expect(page.get_by_text("该方法在以往年度的平均绝对误差")).to_be_visible()
    assert page.locator("svg.finance-chart").count() == 4
    expect(page.get_by_role("row", name="10101 增值税")).to_be_visible()
    # Last month's figures were sent to the portal by the demo (by category, no taxpayer data).
    expect(page.get_by_role("heading", name="门户网站收入数据公开")).to_be_visible()
    expect(page.get_by_role("table", name="已发送门户网站").get_by_text("税收收入完成情况")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
