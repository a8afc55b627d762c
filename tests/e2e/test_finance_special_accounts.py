"""Browser test of the special accounts' main screen: a chief approves the clerk's disbursement."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser


def test_chief_approves_a_disbursement(stack, browser):
    page = login(browser, stack, "zhaolei", "/admin/finance/special-accounts/")
    expect(page.get_by_role("heading", name="财政专户").first).to_be_visible()
    expect(page.get_by_role("cell", name="宝鸡市专项资金财政专户").first).to_be_visible()
    expect(page.get_by_role("cell", name="CCB20261120999")).to_be_visible()  # the unmatched interest line
    page.get_by_role("button", name="批准").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("已批准并记账。")).to_be_visible()
    expect(page.get_by_role("cell", name="农村公路养护拨款")).to_be_visible()
