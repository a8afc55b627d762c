"""Browser test of the official document system: a 通知 from draft to its PDF, and a document from
the simulated provincial bureau reaching the clerk's inbox."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import totp_now
from tests.subproc import REPO

pytestmark = pytest.mark.browser
TITLE = "关于开展财政信息化培训工作的通知"


def code(secret: str, ahead: int = 0) -> str:
    """The authenticator's code ``ahead`` time steps from now (django-otp accepts one step ahead)."""
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret), drift=ahead):06d}"


def login(browser, stack, username):
    account = stack["accounts"]["intranet"][username]
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(stack["urls"]["intranet"] + "/oa/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    refused = page.get_by_text("一次性密码错误或已过期")
    # Wait for the answer to the login before reading it: the inbox, or the refusal.
    expect(refused.or_(page.get_by_role("link", name="待办"))).to_be_visible()
    if refused.count():
        # Another browser test logged this user in within the same 30 s step: a code counts once.
        page.wait_for_timeout(1100)  # django-otp's throttle after a refused code
        page.get_by_role("textbox", name="一次性密码").fill(code(account["otp_secret"], 1))
        page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/oa/")
    return page


def act(page, url, action, **fill):
    page.goto(url)
    page.get_by_role("link", name=action, exact=True).click()
    for label, value in fill.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(url)
    expect(page.get_by_text(f"已完成：{action}")).to_be_visible()


def test_a_notice_from_draft_to_pdf(stack, browser):
    drafter = login(browser, stack, "zhangwei")
    expect(drafter.get_by_role("link", name="待办")).to_be_visible()
    drafter.get_by_role("link", name="新建发文").click()
    drafter.get_by_label("标题").fill(TITLE)
    drafter.get_by_label("主送机关").fill("局属各单位")
    drafter.get_by_label("正文").fill("为提高财政干部信息化水平，决定开展培训。\n一、培训对象\n局属各科室人员。")
    drafter.get_by_role("button", name="保存").click()
    drafter.wait_for_url("**/oa/d/*/")
    url = drafter.url
    act(drafter, url, "送核稿")

    chief = login(browser, stack, "lina")
    chief.get_by_role("link", name=TITLE).click()
    chief.get_by_role("link", name="核稿通过").click()
    chief.get_by_label("预算科").check()
    chief.get_by_label("国库科").check()
    chief.get_by_role("button", name="确认").click()
    chief.wait_for_url(url)
    expect(chief.locator(".state")).to_have_text("会签中")

    for username in ("zhaolei", "sunli"):  # two departments countersign
        act(login(browser, stack, username), url, "会签同意")

    leader = login(browser, stack, "liuyang")
    leader.goto(url)
    leader.get_by_role("link", name="签发", exact=True).click()
    leader.get_by_label("一次性密码").fill("000000")
    leader.get_by_role("button", name="确认").click()
    expect(leader.get_by_text("一次性密码错误或已过期")).to_be_visible()
    # The code shown at login was used up; the authenticator's next code confirms the signature.
    secret = stack["accounts"]["intranet"]["liuyang"]["otp_secret"]
    for _ in range(3):
        leader.wait_for_timeout(1100)  # django-otp's throttle after a refused code
        leader.get_by_label("一次性密码").fill(code(secret, 1))
        leader.get_by_role("button", name="确认").click()
        leader.wait_for_load_state()
        if leader.url == url:
            break
        leader.wait_for_timeout(30_000)  # the next code was taken at login: wait for the one after
    assert leader.url == url
    expect(leader.locator(".state")).to_have_text("已签发，待编号")

    act(drafter, url, "编号")
    number = drafter.locator(".doc-number").first.inner_text()
    assert number.startswith("宝市财办〔") and number.endswith("号")
    act(drafter, url, "印发")
    with drafter.expect_download() as info:
        drafter.get_by_role("link", name="下载PDF").click()
    path = info.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"

    # 分发 to 国库科: its staff find a reading task (阅知) in their inbox; the office sees the receipts.
    drafter.goto(url)
    drafter.get_by_role("link", name="分发", exact=True).click()
    drafter.get_by_label("国库科").check()
    drafter.get_by_role("button", name="确认").click()
    drafter.wait_for_url(url)
    expect(drafter.locator(".state")).to_have_text("已分发")
    reader = login(browser, stack, "zhaolei")
    reader.get_by_role("link", name=TITLE).click()
    reader.get_by_role("button", name="阅毕").click()
    reader.wait_for_url(url)
    expect(reader.get_by_text("已标记为已阅。")).to_be_visible()
    reader.goto(reader.url.split("/oa/")[0] + "/oa/?tab=done")
    expect(reader.get_by_role("link", name=TITLE)).to_be_visible()
    drafter.goto(url)
    receipts = drafter.locator("table.receipts")
    assert "阅知回执" in receipts.inner_text()
    assert receipts.locator("tr", has_text="赵磊").locator("td").nth(2).inner_text().startswith("20")


def test_a_document_from_the_province_reaches_the_clerks_inbox(stack, browser):
    data = stack["data"]
    sim = [sys.executable, "-m", "exchange.province_sim", "--data-dir", str(data / "province"),
           "--ferry-root", str(data / "ferry")]
    subprocess.run([*sim, "send", "--title", "关于报送财政信息化统计数据的通知", "--doc-number", "陕财办〔2026〕21号"],
                   cwd=REPO, env=stack["env"]["intranet"], check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-m", "intranet", "exchange", "import", "--channel", "from-province"],
                            cwd=REPO, env=stack["env"]["intranet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    clerk = login(browser, stack, "zhangwei")
    expect(clerk.get_by_role("link", name="关于报送财政信息化统计数据的通知")).to_be_visible()
    clerk.get_by_role("link", name="关于报送财政信息化统计数据的通知").click()
    expect(clerk.locator(".state")).to_have_text("待签收")
    expect(clerk.get_by_text("陕财办〔2026〕21号")).to_be_visible()
