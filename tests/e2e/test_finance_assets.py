"""Browser test of the asset register: a card's depreciation, and a disposal awaiting approval."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import totp_now

pytestmark = pytest.mark.browser


def admin_login(browser, stack, username, path):
    """Log a demo user in (password, then OTP) and land on ``path`` of the intranet admin."""
    account = stack["accounts"]["intranet"][username]
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(stack["urls"]["intranet"] + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + path)
    return page


def test_the_asset_register_and_a_card(stack, browser):
    page = admin_login(browser, stack, "zhaolei", "/admin/finance/assets/")
    assert page.get_by_role("heading", name="待审批的申请").is_visible()
    page.locator("tr", has_text="数字复印机").get_by_role("link").first.click()
    expect(page.get_by_text("月折旧额")).to_be_visible()  # waits for the card to load
    page.get_by_role("button", name="批准").click()  # the section chief approves the clerk's scrapping
    expect(page.get_by_text("该资产已处置，卡片只读。")).to_be_visible()
