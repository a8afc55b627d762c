"""Browser test of county supervision: the county supervisor sees both townships on the dashboard,
drills into one and follows the special fund down to its payments; a township clerk sees only
their own township."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.conftest import totp_now

pytestmark = pytest.mark.browser


def login(browser, stack, username, path):
    account = stack["accounts"]["intranet"][username]
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(stack["urls"]["intranet"] + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    if page.get_by_text("一次性密码错误或已过期").count():
        from django_otp.oath import totp

        page.wait_for_timeout(1100)
        page.get_by_role("textbox", name="一次性密码").fill(
            f"{totp(base64.b32decode(account['otp_secret']), drift=1):06d}")
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{path}**")
    return page


def test_the_county_supervises_its_townships_and_follows_a_special_fund(stack, browser):
    county = login(browser, stack, "sunwei", "/admin/finance/divisions/?year=2026")
    table = county.get_by_role("table").first
    assert table.get_by_role("link", name="首善镇").is_visible()
    assert table.get_by_role("link", name="横渠镇").is_visible()
    assert county.get_by_text("刘建国").is_visible()  # the 60,000 payment awaiting county review
    table.get_by_role("link", name="首善镇").click()
    county.wait_for_url("**/admin/finance/divisions/*/**")
    assert county.get_by_text("眉县宏达农业工程有限公司").is_visible()
    county.goto(stack["urls"]["intranet"] + "/admin/finance/divisions/funds/")
    county.get_by_role("link", name="ZX2026-NT01").click()
    assert county.get_by_role("heading", name="高标准农田建设专项资金").count() or county.get_by_text(
        "高标准农田建设专项资金").count()
    assert county.get_by_text("从资金下达到最终支付").is_visible()
    assert county.get_by_text("首善镇财政所").first.is_visible() and county.get_by_text("横渠镇财政所").first.is_visible()
    assert county.get_by_text("已清算并对平").first.is_visible()
    county.context.close()

    town = login(browser, stack, "lijuan", "/admin/finance/divisions/?year=2026")
    table = town.get_by_role("table").first
    assert table.get_by_role("link", name="首善镇").is_visible()
    assert table.get_by_text("横渠镇").count() == 0
    town.goto(stack["urls"]["intranet"] + "/admin/finance_payments/")
    assert town.get_by_text("刘建国").count() == 0
    town.context.close()
