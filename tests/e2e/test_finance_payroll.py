"""Browser test of the payroll main screen: the clerk opens the draft run of the month, recomputes it
from approved data and submits it, reserving the pay on the wage indicator."""

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


def test_clerk_submits_the_monthly_run(stack, browser):
    page = login(browser, stack, "wangfang", "/admin/finance_payroll_runs/")
    page.get_by_role("link", name="宝鸡市财政信息中心 2026-02").click()
    page.wait_for_load_state()
    assert page.get_by_role("rowheader", name="陈浩").is_visible()
    page.get_by_role("button", name="按已审批数据重新计算").click()
    assert page.get_by_text("工资已重新计算。").is_visible()
    page.get_by_role("button", name="提交（占用工资指标）").click()
    assert page.get_by_text("已提交，金额已在指标中占用。").is_visible()
    assert page.get_by_role("cell", name="宝鸡市社会保险经办中心").is_visible()
