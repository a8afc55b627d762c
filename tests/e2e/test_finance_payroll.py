"""Browser test of the payroll main screen: the clerk opens the draft run of the month, recomputes it
from approved data and submits it, reserving the pay on the wage indicator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser


def test_clerk_submits_the_monthly_run(stack, browser):
    page = login(browser, stack, "wangfang", "/admin/finance_payroll_runs/")
    page.get_by_role("link", name="宝鸡市财政信息中心 2026-02").click()
    page.wait_for_load_state()
    expect(page.get_by_role("rowheader", name="陈浩")).to_be_visible()
    page.get_by_role("button", name="按已审批数据重新计算").click()
    expect(page.get_by_text("工资已重新计算。")).to_be_visible()
    page.get_by_role("button", name="提交（占用工资指标）").click()
    expect(page.get_by_text("已提交，金额已在指标中占用。")).to_be_visible()
    expect(page.get_by_role("cell", name="宝鸡市社会保险经办中心")).to_be_visible()
