"""Browser test of the farmer subsidy main screen: the clerk opens the draft batch and submits it,
reserving the batch total on the programme's indicator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser


def test_clerk_submits_a_subsidy_batch(stack, browser):
    page = login(browser, stack, "wangfang", "/admin/finance_subsidy_batches/")
    page.get_by_role("link", name="BT2026-000002").click()
    page.wait_for_load_state()
    expect(page.get_by_role("rowheader", name="张建华")).to_be_visible()
    page.get_by_role("button", name="提交（占用指标）").click()
    expect(page.get_by_text("已提交，金额已在指标中占用。")).to_be_visible()
