"""发文: 拟稿 → 核稿 → 会签 → 签发 → 编号 → 印发 → 分发 → 归档, with its refusals."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from common.audit.models import AuditEvent
from intranet.oa.models import Document, DocumentEvent
from intranet.oa.permissions import open_tasks
from intranet.oa.services.documents import add_attachment, update_document
from intranet.oa.workflow import TransitionRefused, transition
from tests.conftest import current_token
from tests.intranet.oa.conftest import otp

pytestmark = pytest.mark.django_db


def test_full_outgoing_path_with_parallel_countersigning(bureau, draft):
    doc = draft()
    assert doc.state == "draft"
    doc = transition(doc, "submit", bureau.zhangwei)
    assert open_tasks(bureau.lina).filter(document=doc).exists()
    assert not open_tasks(bureau.zhaolei).filter(document=doc).exists()
    doc = transition(doc, "review_pass", bureau.lina,
                     countersign_departments=[bureau.dept["YSK"].pk, bureau.dept["GKK"].pk])
    assert doc.state == "countersigning"
    # Both departments have it at the same time (parallel).
    assert open_tasks(bureau.sunli).filter(document=doc).exists()
    assert open_tasks(bureau.zhaolei).filter(document=doc).exists()
    doc = transition(doc, "countersign_agree", bureau.zhaolei, comment="同意")
    assert doc.state == "countersigning"
    assert not open_tasks(bureau.zhaolei).filter(document=doc).exists()
    with pytest.raises(TransitionRefused):  # a department countersigns once
        transition(doc, "countersign_agree", bureau.zhaolei)
    doc = transition(doc, "countersign_agree", bureau.sunli)
    assert doc.state == "signing"
    assert open_tasks(bureau.liuyang).filter(document=doc).exists()
    doc = transition(doc, "sign", bureau.liuyang, otp=otp(bureau, "liuyang"))
    assert (doc.state, doc.signer_name, doc.signed_by) == ("signed", "liuyang", bureau.liuyang)
    doc = transition(doc, "assign_number", bureau.zhangwei)
    assert doc.doc_number.startswith("宝市财办〔") and doc.doc_number.endswith("〕1号")
    doc = transition(doc, "issue", bureau.zhangwei)
    assert doc.state == "issued" and doc.printed_date
    data = doc.pdf.open("rb").read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == doc.pdf_sha256
    doc = transition(doc, "distribute", bureau.zhangwei, departments=[bureau.dept["YSK"].pk], paper="省财政厅")
    assert doc.state == "distributed" and doc.distributions.count() == 2
    doc = transition(doc, "archive", bureau.zhangwei, retention="permanent", category="budget")
    assert doc.state == "archived" and doc.archive_code.endswith("-YS-Y-0001")
    names = list(doc.events.values_list("transition", flat=True))
    assert names == ["draft", "submit", "review_pass", "countersign_agree", "countersign_agree", "sign",
                     "assign_number", "issue", "distribute", "archive"]
    actions = set(AuditEvent.objects.filter(object_type="oa.document", object_id=str(doc.pk))
                  .values_list("action", flat=True))
    assert {"oa.submit", "oa.sign", "oa.assign_number", "oa.issue", "oa.archive"} <= actions


def _unchanged(doc, state):
    doc.refresh_from_db()
    assert doc.state == state
    return doc


def test_invalid_transition_is_refused_in_chinese_and_changes_nothing(bureau, draft):
    doc = draft()
    events = DocumentEvent.objects.count()
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "sign", bureau.liuyang, otp=otp(bureau, "liuyang"))
    assert "不能" in exc.value.messages[0] or "无权" in exc.value.messages[0]
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "assign_number", bureau.zhangwei)
    assert "拟稿" in exc.value.messages[0]
    with pytest.raises(TransitionRefused):
        transition(doc, "no_such_action", bureau.zhangwei)
    _unchanged(doc, "draft")
    assert DocumentEvent.objects.count() == events


def test_wrong_role_or_department_may_not_act(bureau, draft):
    doc = transition(draft(), "submit", bureau.zhangwei)
    for user in (bureau.zhangwei, bureau.sunli, bureau.liuyang):  # a clerk, another chief, the leader
        with pytest.raises(TransitionRefused) as exc:
            transition(doc, "review_pass", user)
        assert "无权" in exc.value.messages[0]
    _unchanged(doc, "reviewing")


def test_return_needs_reasons_and_goes_back_to_the_drafter(bureau, draft):
    doc = transition(draft(), "submit", bureau.zhangwei)
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "review_return", bureau.lina, comment="  ")
    assert "理由" in exc.value.messages[0]
    doc = transition(doc, "review_return", bureau.lina, comment="请补充报送时间")
    assert doc.state == "draft"
    assert open_tasks(bureau.zhangwei).filter(document=doc).exists()


def test_countersign_disagreement_returns_the_draft(bureau, draft):
    doc = transition(draft(), "submit", bureau.zhangwei)
    doc = transition(doc, "review_pass", bureau.lina, countersign_departments=[bureau.dept["GKK"].pk])
    doc = transition(doc, "countersign_reject", bureau.zhaolei, comment="口径不一致")
    assert doc.state == "draft"
    assert doc.countersigns.get().state == "rejected"


def test_missing_required_elements_are_refused_before_review(bureau, draft):
    doc = draft(main_recipients="", body="")
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "submit", bureau.zhangwei)
    text = " ".join(exc.value.messages)
    assert "主送机关" in text and "正文" in text
    _unchanged(doc, "draft")


def test_signing_needs_a_current_one_time_password(bureau, draft):
    doc = transition(transition(draft(), "submit", bureau.zhangwei), "review_pass", bureau.lina)
    for wrong in ("", "123456"):
        with pytest.raises(TransitionRefused) as exc:
            transition(doc, "sign", bureau.liuyang, otp=wrong)
        assert "一次性密码" in exc.value.messages[0]
    _unchanged(doc, "signing")
    device = bureau.devices["liuyang"]
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the signer wait after wrong codes
    # Someone without the right is refused before the code is even looked at.
    with pytest.raises(TransitionRefused):
        transition(doc, "sign", bureau.lina, otp=otp(bureau, "lina"))
    assert transition(doc, "sign", bureau.liuyang, otp=current_token(device)).state == "signed"
    doc = transition(transition(draft(), "submit", bureau.zhangwei), "review_pass", bureau.lina)
    with pytest.raises(TransitionRefused):  # the same code does not sign twice
        transition(doc, "sign", bureau.liuyang, otp=current_token(device))


def test_substantive_change_after_signing_goes_back_to_the_signer(bureau, signed):
    doc = signed()
    doc = update_document(doc, bureau.zhangwei, {"copy_number": "000123"})  # not content
    assert doc.state == "signed"
    doc = update_document(doc, bureau.zhangwei, {"body": doc.body + "\n二、其他\n另行通知。"})
    assert doc.state == "signing" and doc.signer_name == "" and doc.signed_by is None
    assert doc.events.last().transition == "return_to_signer"
    assert open_tasks(bureau.liuyang).filter(document=doc).exists()


def test_issued_and_archived_documents_are_read_only(bureau, issued):
    doc = issued()
    with pytest.raises(TransitionRefused) as exc:
        update_document(doc, bureau.zhangwei, {"title": "改"})
    assert "印发" in exc.value.messages[0]
    doc = transition(doc, "archive", bureau.zhangwei, retention="10y", category="general")
    with pytest.raises(TransitionRefused) as exc:
        update_document(doc, bureau.zhangwei, {"title": "改"})
    assert "归档" in exc.value.messages[0]
    doc.title = "直接改"
    with pytest.raises(ValidationError):
        doc.save()
    assert Document.objects.get(pk=doc.pk).title != "直接改"


def test_issue_refuses_an_upward_document_without_signer(bureau, draft):
    from intranet.oa.flows import complete_for_issue

    doc = draft(doc_type="report", direction="up", main_recipients="省财政厅")
    assert "签发人" in complete_for_issue(doc, bureau.zhangwei, {})
    doc.signer_name = "刘洋"
    assert complete_for_issue(doc, bureau.zhangwei, {}) is None


def test_attachments_of_disallowed_type_are_refused(bureau, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = draft()
    bad = SimpleUploadedFile("预算表.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        add_attachment(doc, bureau.zhangwei, bad)
    assert "不接受" in exc.value.messages[0] or "类型" in exc.value.messages[0]
    assert doc.files.count() == 0
    good = SimpleUploadedFile("说明.txt", "附件说明文字".encode(), content_type="text/plain")
    assert add_attachment(doc, bureau.zhangwei, good).media_type == "text/plain"
    with pytest.raises(PermissionDenied):
        add_attachment(doc, bureau.zhaolei, SimpleUploadedFile("x.txt", b"hello"))
