"""Browser test of county supervision: the county supervisor sees both townships on the dashboard,
drills into one and follows the special fund down to its payments; a township clerk sees only
their own township."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser


def test_the_county_supervises_its_townships_and_follows_a_special_fund(stack, browser):
    county = login(browser, stack, "sunwei", "/admin/finance/divisions/?year=2026")
    table = county.get_by_role("table").first
    expect(table.get_by_role("link", name="首善镇")).to_be_visible()
    expect(table.get_by_role("link", name="横渠镇")).to_be_visible()
    expect(county.get_by_text("刘建国")).to_be_visible()  # the 60,000 payment awaiting county review
    table.get_by_role("link", name="首善镇").click()
    county.wait_for_url("**/admin/finance/divisions/*/**")
    expect(county.get_by_text("眉县宏达农业工程有限公司")).to_be_visible()
    county.goto(stack["urls"]["intranet"] + "/admin/finance/divisions/funds/")
    county.get_by_role("link", name="ZX2026-NT01").click()
    expect(county.get_by_text("高标准农田建设专项资金").first).to_be_visible()
    expect(county.get_by_text("从资金下达到最终支付")).to_be_visible()
    expect(county.get_by_text("首善镇财政所").first).to_be_visible()
    expect(county.get_by_text("横渠镇财政所").first).to_be_visible()
    expect(county.get_by_text("已清算并对平").first).to_be_visible()
    county.context.close()

    town = login(browser, stack, "lijuan", "/admin/finance/divisions/?year=2026")
    table = town.get_by_role("table").first
    expect(table.get_by_role("link", name="首善镇")).to_be_visible()
    assert table.get_by_text("横渠镇").count() == 0
    town.goto(stack["urls"]["intranet"] + "/admin/finance_payments/")
    assert town.get_by_text("刘建国").count() == 0
    town.context.close()
