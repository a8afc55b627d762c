"""Browser test of the special accounts' main screen: a chief approves the clerk's disbursement."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import totp_now

pytestmark = pytest.mark.browser


def login(browser, stack, username, path):
    account = stack["accounts"]["intranet"][username]
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(stack["urls"]["intranet"] + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**" + path)
    return page


def test_chief_approves_a_disbursement(stack, browser):
    page = login(browser, stack, "zhaolei", "/admin/finance/special-accounts/")
    assert page.get_by_role("heading", name="财政专户").first.is_visible()
    assert page.get_by_role("cell", name="宝鸡市专项资金财政专户").first.is_visible()
    assert page.get_by_role("cell", name="CCB20261120999").is_visible()  # the unmatched interest line
    page.get_by_role("button", name="批准").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("已批准并记账。").is_visible()
    assert page.get_by_role("cell", name="农村公路养护拨款").is_visible()
