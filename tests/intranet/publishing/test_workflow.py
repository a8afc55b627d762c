"""The two-step review of the publishing desk, and what approval puts in the exchange outbox."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from common.audit.models import AuditEvent
from exchange.models import OutboundItem
from intranet.publishing import services
from intranet.publishing.models import Publication

pytestmark = pytest.mark.django_db


def _policy(author, **extra):
    fields = {"kind": "policy", "title": "关于加快财政信息化建设的实施意见", "doc_number": "宝市财办信〔2009〕8号",
              "issuer": "宝鸡市财政局办公室", "written_on": date(2009, 8, 24), "document_type": "实施意见",
              "topic": "财政信息化", "body": "<h2>一、现状</h2><p>正文</p>", **extra}
    return services.create(author, **fields)


def test_approval_after_two_steps_queues_the_policy_for_the_extranet(desk):
    author, reviewer, approver = desk
    pub = services.submit(_policy(author), author)
    pub = services.review(pub, reviewer, accept=True)
    pub = services.approve(pub, approver)
    assert (pub.status, pub.revision, pub.reviewer, pub.approver) == ("published", 1, reviewer, approver)
    item = OutboundItem.objects.get(ref=pub.document_id)
    assert (item.channel, item.message_type, item.version, item.classification) == (
        "to-extranet", "portal.policy.publish", 2, "public")
    assert item.body["doc_number"] == "宝市财办信〔2009〕8号" and item.body["issued_on"] == "2009-08-24"
    assert "<h2>一、现状</h2>" in item.body["body_html"]
    actions = list(AuditEvent.objects.filter(action__startswith="publishing.").values_list("action", flat=True))
    assert {"publishing.submit", "publishing.review", "publishing.approve"} <= set(actions)


def test_the_author_never_reviews_or_approves_and_the_reviewer_never_approves(desk):
    author, reviewer, approver = desk
    services.review  # noqa: B018
    from tests.intranet.publishing.conftest import _grant

    _grant(author, "publishing.review_publication", "publishing.approve_publication")
    pub = services.submit(_policy(author), author)
    with pytest.raises(PermissionDenied):
        services.review(pub, author, accept=True)
    _grant(reviewer, "publishing.approve_publication")
    pub = services.review(pub, reviewer, accept=True)
    with pytest.raises(PermissionDenied):
        services.approve(pub, reviewer)
    with pytest.raises(PermissionDenied):
        services.approve(pub, author)
    assert not OutboundItem.objects.exists()
    assert services.approve(pub, approver).status == "published"


def test_steps_cannot_be_skipped_and_staff_without_the_right_cannot_act(desk, make_user):
    author, reviewer, approver = desk
    pub = _policy(author)
    with pytest.raises(ValidationError):
        services.approve(pub, approver)
    pub = services.submit(pub, author)
    with pytest.raises(ValidationError):
        services.approve(pub, approver)
    clerk = make_user("clerk")[0]
    with pytest.raises(PermissionDenied):
        services.review(pub, clerk, accept=True)


def test_returned_publications_go_back_to_the_author(desk):
    author, reviewer, approver = desk
    pub = services.submit(_policy(author), author)
    pub = services.review(pub, reviewer, accept=False, note="文号有误")
    assert pub.status == "rejected" and pub.last_note == "文号有误"
    pub = services.submit(pub, author)
    assert pub.status == "submitted"


def test_incomplete_and_non_public_publications_never_leave(desk):
    author, reviewer, approver = desk
    with pytest.raises(ValidationError):
        services.submit(_policy(author, written_on=None), author)
    pub = services.review(services.submit(_policy(author, disclosure="not_public"), author), reviewer, accept=True)
    with pytest.raises(ValidationError):
        services.approve(pub, approver)
    assert not OutboundItem.objects.exists()
    assert Publication.objects.get(pk=pub.pk).status == "reviewed"


def test_withdrawal_queues_a_withdraw_message(desk):
    author, reviewer, approver = desk
    pub = services.approve(services.review(services.submit(_policy(author), author), reviewer, accept=True), approver)
    with pytest.raises(ValidationError):
        services.withdraw(pub, approver, reason=" ")
    services.withdraw(pub, approver, reason="已被新文件替代")
    item = OutboundItem.objects.get(message_type="portal.withdraw")
    assert item.body["document_id"] == pub.document_id


def test_a_draft_for_comment_is_split_into_sections(desk):
    author, reviewer, approver = desk
    pub = services.create(author, kind="draft", title="管理办法（征求意见稿）", opens_on=date(2026, 12, 1),
                          closes_on=date(2026, 12, 31),
                          body="<h2>第一章 总则</h2><p>第一条</p><h2>第二章 分配</h2><p>第二条</p>")
    services.approve(services.review(services.submit(pub, author), reviewer, accept=True), approver)
    body = OutboundItem.objects.get(message_type="consultation.draft.publish").body
    assert [(s["key"], s["heading"]) for s in body["sections"]] == [("s1", "第一章 总则"), ("s2", "第二章 分配")]
    assert body["opens_on"] == "2026-12-01" and body["closes_on"] == "2026-12-31"
    pub.refresh_from_db()
    with pytest.raises(ValidationError):  # still open
        services.send_feedback_summary(pub, approver, summary_html="<p>x</p>", adopted_html="", comment_count=0)


def test_a_dataset_from_a_spreadsheet(desk):
    import io

    from openpyxl import Workbook

    from intranet.publishing import datasets

    wb = Workbook()
    ws = wb.active
    ws.append(["功能分类", "预算数"])
    ws.append(["教育支出", 356780.5])
    ws.append(["卫生健康支出", 176530])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    table = datasets.read_xlsx(buf)
    assert table["columns"][1] == {"key": "c2", "label": "预算数", "numeric": True}
    assert table["rows"] == [["教育支出", "356780.5"], ["卫生健康支出", "176530"]]
    with pytest.raises(ValidationError):
        datasets.read_xlsx(io.BytesIO(b"not a spreadsheet"))
