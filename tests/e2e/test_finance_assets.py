"""Browser test of the asset register: a card's depreciation, and a disposal awaiting approval."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as admin_login

pytestmark = pytest.mark.browser


def test_the_asset_register_and_a_card(stack, browser):
    page = admin_login(browser, stack, "zhaolei", "/admin/finance/assets/")
    expect(page.get_by_role("heading", name="待审批的申请")).to_be_visible()
    page.locator("tr", has_text="数字复印机").get_by_role("link").first.click()
    expect(page.get_by_text("月折旧额")).to_be_visible()  # waits for the card to load
    page.get_by_role("button", name="批准").click()  # the section chief approves the clerk's scrapping
    expect(page.get_by_text("该资产已处置，卡片只读。")).to_be_visible()
