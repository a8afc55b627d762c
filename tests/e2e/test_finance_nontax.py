"""Browser test of the non-tax revenue main screen: notices with payment codes, a chief approves
the remittance to the treasury, and the daily reconciliation balances."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser


def test_chief_remits_and_reconciles(stack, browser):
    page = login(browser, stack, "liuyang", "/admin/finance/nontax/")
    expect(page.get_by_role("heading", name="非税收入").first).to_be_visible()
    expect(page.get_by_role("cell", name="陕西秦风传媒广告有限公司")).to_be_visible()
    page.get_by_role("button", name="批准").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("已记录决定。")).to_be_visible()
    page.get_by_role("link", name="日对账", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("每日均平衡")).to_be_visible()
