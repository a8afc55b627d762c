"""The screens: inbox counts, drafting, actions with OTP, uploads, PDF download, permissions."""

import pytest

from intranet.oa.models import Document
from intranet.oa.workflow import transition
from tests.conftest import current_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, otp_login, bureau):
    def as_(username):
        client.logout()
        otp_login(client, username, "Correct-Horse-42", bureau.devices[username], "/oa/")
        return client
    return as_


def test_inbox_shows_counts_in_chinese(login, draft):
    draft()
    page = login("zhangwei").get("/oa/").content.decode()
    assert "待办" in page and "已办" in page and "我发起的" in page
    assert '<span class="count">1</span>' in page


def test_drafting_through_the_form(login, bureau):
    client = login("zhangwei")
    assert client.get("/oa/new/").status_code == 200
    response = client.post("/oa/new/", {"doc_type": "notice", "direction": "down", "title": "关于测试的通知",
                                        "main_recipients": "局属各单位", "body": "正文", "disclosure": "public",
                                        "issuing_agency": "宝鸡市财政局文件", "agency_code": "宝市财办",
                                        "signature_agency": "宝鸡市财政局"})
    doc = Document.objects.get(title="关于测试的通知")
    assert response.status_code == 302 and doc.created_by == bureau.zhangwei and doc.state == "draft"


def test_a_leader_signs_with_otp_on_the_screen(login, bureau, draft):
    doc = transition(transition(draft(), "submit", bureau.zhangwei), "review_pass", bureau.lina)
    client = login("liuyang")
    page = client.get(f"/oa/d/{doc.pk}/act/sign/").content.decode()
    assert "一次性密码" in page
    page = client.post(f"/oa/d/{doc.pk}/act/sign/", {"sign-otp": "000000", "sign-comment": ""}).content.decode()
    assert "一次性密码错误或已过期" in page
    doc.refresh_from_db()
    assert doc.state == "signing"


def test_an_action_not_allowed_is_refused_with_a_message(login, bureau, draft):
    doc = draft()
    response = login("zhangwei").post(f"/oa/d/{doc.pk}/act/assign_number/", {}, follow=True)
    assert "您现在不能对该公文执行此操作" in response.content.decode()
    doc.refresh_from_db()
    assert doc.state == "draft"


def test_disallowed_upload_is_refused_in_chinese(login, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = draft()
    exe = SimpleUploadedFile("表格.xlsx", b"MZ\x90\x00" + b"\x00" * 100)
    response = login("zhangwei").post(f"/oa/d/{doc.pk}/attach/", {"file": exe}, follow=True)
    assert "不接受" in response.content.decode() or "类型" in response.content.decode()
    assert doc.files.count() == 0


def test_pdf_download_and_visibility(login, bureau, issued):
    doc = issued()
    response = login("zhaolei").get(f"/oa/d/{doc.pk}/pdf/")  # another department, not routed to him
    assert response.status_code == 404
    response = login("chenjing").get(f"/oa/d/{doc.pk}/pdf/")  # the auditor sees everything
    assert response.status_code == 200 and response["X-Content-SHA256"] == doc.pdf_sha256
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login("zhangwei").get(f"/oa/d/{doc.pk}/").status_code == 200


def test_visibility_follows_department_and_routing(bureau, draft):
    from intranet.oa.permissions import visible_documents

    doc = transition(draft(), "submit", bureau.zhangwei)
    assert doc in visible_documents(bureau.lina)
    assert doc not in visible_documents(bureau.zhaolei)
    doc = transition(doc, "review_pass", bureau.lina, countersign_departments=[bureau.dept["GKK"].pk])
    assert doc in visible_documents(bureau.zhaolei) and doc in visible_documents(bureau.qianmin)
    assert doc not in visible_documents(bureau.zhoujie)
    assert doc in visible_documents(bureau.liuyang)


def test_search_applies_the_same_rules(login, bureau, draft, celery_eager, django_capture_on_commit_callbacks):
    from search.services import indexing

    with django_capture_on_commit_callbacks(execute=True):
        draft(title="关于国库支付的通知")
    indexing.refresh()
    assert "关于<mark>国库</mark>支付的通知" in login("lina").get("/oa/documents/?q=国库").content.decode()
    assert "国库支付" not in login("zhoujie").get("/oa/documents/?q=国库").content.decode()


def test_demo_is_idempotent(db, settings):
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from common import demo as common_demo
    from intranet.oa.demo import load_demo
    from intranet.workbench.management.commands.setup_demo import DEPARTMENTS, ROLES, USERS

    call_command("check")
    common_demo.ensure_departments(DEPARTMENTS)
    common_demo.ensure_roles(ROLES)
    common_demo.ensure_users(USERS)
    load_demo()
    first = Document.objects.count()
    load_demo()
    assert Document.objects.count() == first >= 5
    plan = Document.objects.get(agency_code="宝市财办信", year=2009, number=8)
    assert plan.doc_number == "宝市财办信〔2009〕8号" and plan.state == "archived" and plan.released_at
    assert plan.pdf_sha256 and plan.retention == "permanent"
    assert current_token  # the module is shared with the other tests


def test_register_in_the_admin_with_spreadsheet_export(login, bureau, draft):
    draft(title="关于登记簿测试的通知")
    client = login("lina")
    page = client.get("/admin/oa/register/").content.decode()
    assert "关于登记簿测试的通知" in page
    response = client.get("/admin/oa/register/?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert "关于登记簿测试的通知" not in login("zhoujie").get("/admin/oa/register/").content.decode()
