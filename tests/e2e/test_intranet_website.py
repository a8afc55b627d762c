"""Browser test of the internal website: a required-reading notice waits on a reader's home page
until they open it, and its author then sees them in the read list of their department."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import staff_login as login

pytestmark = pytest.mark.browser
TITLE = "关于2026年国庆节放假安排及值班工作的通知"


def test_required_reading_and_read_receipts(stack, browser):
    reader = login(browser, stack, "zhaolei", "/")
    required = reader.get_by_role("region", name="必读")
    expect(required.get_by_role("link", name=TITLE)).to_be_visible()
    required.get_by_role("link", name=TITLE).click()
    reader.wait_for_url("**/website/*/")
    expect(reader.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(reader.get_by_text("您已于")).to_be_visible()
    reader.goto(stack["urls"]["intranet"] + "/")
    assert reader.get_by_role("region", name="必读").count() == 0
    reader.context.close()

    author = login(browser, stack, "lina", "/website/")
    author.get_by_role("region", name="我发布的信息").get_by_role("listitem").filter(has_text=TITLE).get_by_role(
        "link", name="阅读回执").click()
    author.wait_for_url("**/receipts/")
    section = author.get_by_role("region", name="国库科")
    expect(section.get_by_role("row").filter(has_text="赵磊").filter(has_text="已读")).to_be_visible()
    with author.expect_download() as download:
        author.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    author.context.close()
