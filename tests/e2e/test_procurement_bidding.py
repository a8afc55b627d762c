"""Browser test of online bidding: a supplier registers on the portal, is approved on the intranet
(the result travelling back through the exchange), logs in with OTP, submits a sealed bid and sees
the signed receipt with the SHA-256 of the file."""

import hashlib
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import totp_now
from tests.subproc import REPO

pytestmark = pytest.mark.browser


def _ferry(stack, sender, receiver):
    for side, cmd in ((sender, "export"), (receiver, "import")):
        subprocess.run([sys.executable, "-m", side, "exchange", cmd], cwd=REPO, env=stack["env"][side],
                       capture_output=True, text=True, check=True, timeout=300)


def _pdf(tmp_path, name, marker, size):
    data = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + marker.encode() + b"\n" * 10) * (size // (len(marker) + 30) + 1)
    path = tmp_path / name
    path.write_bytes(data[:size])
    return path


def test_supplier_registers_is_approved_logs_in_with_otp_bids_and_sees_the_receipt(stack, page, tmp_path):
    ext, intra = stack["urls"]["extranet"], stack["urls"]["intranet"]
    _ferry(stack, "intranet", "extranet")  # the demo tender, its documents and bid-opening key
    username, password = f"e2e{os.urandom(3).hex()}", "Bright-Harbor-58!q"

    # 1. Registration on the portal.
    page.goto(ext + "/procurement/register/")
    page.get_by_label("企业名称").fill("宝鸡市端到端测试有限公司")
    page.get_by_label("统一社会信用代码").fill("911101080828461726")
    page.get_by_label("法定代表人").fill("赵六")
    page.get_by_label("注册地址").fill("宝鸡市金台区")
    page.get_by_label("联系人").fill("赵六")
    page.get_by_label("联系电话").fill("0917-7654321")
    page.get_by_label("电子邮箱").fill("zhao@example.invalid")
    page.get_by_label("营业执照（PDF、JPEG 或 PNG）").set_input_files(str(_pdf(tmp_path, "licence.pdf", "licence", 3000)))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="注册已提交")).to_be_visible()

    # 2. Review on the intranet (password + OTP), the result travels back.
    _ferry(stack, "extranet", "intranet")
    staff = stack["accounts"]["intranet"]["caigou"]
    page.goto(intra + "/admin/procurement/suppliers/")
    page.get_by_label("用户名").fill("caigou")
    page.get_by_label("密码").fill(staff["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(staff["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="宝鸡市端到端测试有限公司").click()
    expect(page.get_by_text("校验通过")).to_be_visible()
    page.locator("#id_decision").select_option("approve")
    page.get_by_role("button", name="记录审核结论").click()
    expect(page.get_by_text("审核结果已排队发往门户")).to_be_visible()
    _ferry(stack, "intranet", "extranet")

    # 3. First login on the portal: password, then enrolment of the authenticator.
    page.goto(ext + "/supplier/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="下一步").click()
    secret = page.locator("code.secret").inner_text().strip()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(secret))
    page.get_by_role("button", name="确认并登录").click()
    page.get_by_role("link", name="我已保存").click()
    expect(page.locator("#registration-status")).to_have_text("审核通过")

    # 4. The bid: the tender from the dashboard, the form, two files and a price.
    page.get_by_role("link", name="财政一体化系统运维服务采购项目").first.click()
    page.get_by_role("link", name="提交或替换投标").click()
    offer = _pdf(tmp_path, "技术标.pdf", "technical-offer", 300_000)
    page.get_by_label("包号").select_option("1")
    page.get_by_label("投标报价（元）").fill("650000.00")
    page.get_by_label("投标文件").set_input_files([str(offer), str(_pdf(tmp_path, "商务标.pdf", "commercial", 20_000))])
    page.get_by_label("我确认以上文件和报价构成完整的投标。").check()
    page.get_by_role("button", name="加密并提交投标").click()

    # 5. The receipt: time, SHA-256 of each file, the portal's signature.
    expect(page.get_by_role("heading", name="投标回执")).to_be_visible()
    expect(page.get_by_text("您的投标已接收并加密封存")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    assert hashlib.sha256(offer.read_bytes()).hexdigest() in receipt
    assert "650000" not in page.content()
    expect(page.locator("#bid-status")).to_have_text("已提交")

    # The sealed bid reaches the intranet still encrypted, and cannot be opened before the deadline.
    _ferry(stack, "extranet", "intranet")
    check = ("from intranet.procurement.models import IncomingBid; from intranet.procurement.services import opening;"
             "b = IncomingBid.objects.get(company_name='宝鸡市端到端测试有限公司');"
             "print(b.status, opening.readiness(b.tender)[1] is not None)")
    out = subprocess.run([sys.executable, "-m", "intranet", "shell", "-c", check], cwd=REPO, env=stack["env"]["intranet"],
                         capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert out[-2:] == ["sealed", "True"]
