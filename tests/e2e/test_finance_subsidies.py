"""Browser test of the farmer subsidy main screen: the clerk opens the draft batch and submits it,
reserving the batch total on the programme's indicator."""

from __future__ import annotations

import pytest

from tests.e2e.test_finance_payroll import login

pytestmark = pytest.mark.browser


def test_clerk_submits_a_subsidy_batch(stack, browser):
    page = login(browser, stack, "wangfang", "/admin/finance_subsidy_batches/")
    page.get_by_role("link", name="BT2026-000002").click()
    page.wait_for_load_state()
    assert page.get_by_role("rowheader", name="张建华").is_visible()
    page.get_by_role("button", name="提交（占用指标）").click()
    assert page.get_by_text("已提交，金额已在指标中占用。").is_visible()
