"""Smoke test in headless Chromium: OTP login on the intranet, the extranet home page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import totp_now

pytestmark = pytest.mark.browser


def test_intranet_login_with_password_and_otp(stack, page):
    base = stack["urls"]["intranet"]
    account = stack["accounts"]["intranet"]["zhangwei"]
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("zhangwei")
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    expect(page.get_by_role("heading", name="欢迎，张伟")).to_be_visible()


def test_intranet_wrong_otp_is_refused_in_chinese(stack, page):
    base = stack["urls"]["intranet"]
    account = stack["accounts"]["intranet"]["lina"]
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill("lina")
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill("12345")  # a code can never be five digits
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("一次性密码错误或已过期")).to_be_visible()


def test_extranet_home_page_and_display_modes(stack, page):
    base = stack["urls"]["extranet"]
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="市财政局", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_role("button", name="大字").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bmode-large-text\b"))
    page.get_by_role("button", name="高对比度").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bmode-high-contrast\b"))


def test_extranet_skip_link_is_first_keyboard_stop(stack, page):
    page.goto(stack["urls"]["extranet"] + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "跳到主要内容" in focused
