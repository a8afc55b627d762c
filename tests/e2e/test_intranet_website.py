"""Browser test of the internal website: a required-reading notice waits on a reader's home page
until they open it, and its author then sees them in the read list of their department."""

from __future__ import annotations

import pytest

from tests.e2e.test_finance_divisions import login

pytestmark = pytest.mark.browser
TITLE = "关于2026年国庆节放假安排及值班工作的通知"


def test_required_reading_and_read_receipts(stack, browser):
    reader = login(browser, stack, "zhaolei", "/")
    required = reader.get_by_role("region", name="必读")
    assert required.get_by_role("link", name=TITLE).is_visible()
    required.get_by_role("link", name=TITLE).click()
    reader.wait_for_url("**/website/*/")
    assert reader.get_by_role("heading", name=TITLE).is_visible()
    assert reader.get_by_text("您已于").is_visible()
    reader.goto(stack["urls"]["intranet"] + "/")
    assert reader.get_by_role("region", name="必读").count() == 0
    reader.context.close()

    author = login(browser, stack, "lina", "/website/")
    author.get_by_role("region", name="我发布的信息").get_by_role("listitem").filter(has_text=TITLE).get_by_role(
        "link", name="阅读回执").click()
    author.wait_for_url("**/receipts/")
    section = author.get_by_role("region", name="国库科")
    assert section.get_by_role("row").filter(has_text="赵磊").filter(has_text="已读").is_visible()
    with author.expect_download() as download:
        author.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    author.context.close()
