"""意见征集: comment on an open draft (whole or section), refused when closed, summary afterwards."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from exchange import registry
from exchange.models import OutboundItem
from extranet.consultation.models import DraftPage, Submission
from tests.extranet.consultation.conftest import form_data

pytestmark = pytest.mark.django_db


def _apply(message_type, body):
    mt = registry.check_message(message_type, 1, body, "to-extranet", "public")
    mt.apply(registry.ApplyContext(channel="to-extranet", package_uuid=str(uuid.uuid4()), seq=1, signer="A" * 40,
                                   item_index=0, is_last_item=True, message_type=message_type, version=1,
                                   classification="public", ref="", body=registry.sanitized(mt, body)))


def _draft(opens, closes):
    _apply("consultation.draft.publish", {
        "document_id": "ZQ-1", "revision": 1, "title": "专项资金管理办法（征求意见稿）", "issuer": "市财政局",
        "opens_on": opens.isoformat(), "closes_on": closes.isoformat(),
        "sections": [{"key": "s1", "heading": "第一章 总则", "html": "<p>第一条</p>"},
                     {"key": "s2", "heading": "第二章 分配", "html": "<p>第二条</p><script>x()</script>"}],
        "published_at": "2026-11-30T10:00:00+08:00", "disclosure": "public"})
    return DraftPage.objects.get(record_id="ZQ-1")


def test_comment_on_a_section_of_an_open_draft(portal, client):
    today = timezone.localdate()
    draft = _draft(today - timedelta(days=1), today + timedelta(days=10))
    page = client.get(draft.url).content.decode()
    assert "第二章 分配" in page and "x()" not in page and "正在征求意见" in page
    url = f"/consultation/comment/{draft.pk}/"
    response = client.post(url, form_data(client, url + "?section=s2", section="s2", text="建议明确分配标准。"))
    assert response.status_code == 200
    sub = Submission.objects.get()
    assert sub.tracking_no.startswith("YJ-") and sub.section == "s2"
    body = OutboundItem.objects.get(pk=sub.outbox_item_id).body
    assert body["regarding"] == "ZQ-1" and body["section"] == "s2" and body["kind"] == "comment"


def test_a_closed_draft_takes_no_comments_and_shows_the_summary(portal, client):
    today = timezone.localdate()
    draft = _draft(today - timedelta(days=30), today - timedelta(days=1))
    assert client.get(f"/consultation/comment/{draft.pk}/").status_code == 403
    _apply("consultation.draft.summary", {"document_id": "ZQ-1", "summary_html": "<p>共收到意见12条。</p>",
                                          "adopted_html": "<p>采纳了关于分配标准的建议。</p>", "comment_count": 12,
                                          "published_at": "2026-12-10T10:00:00+08:00"})
    html = client.get(draft.url).content.decode()
    assert "共收到 12 条意见" in html and "采纳了关于分配标准的建议" in html and "已结束" not in html
    assert "意见采纳情况" in html


def test_page_feedback_is_an_error_report_with_the_page(portal, client):
    url = "/consultation/feedback/?page=/policies/"
    data = form_data(client, url, kind="error_report", page_url="/policies/", text="第二段文号有误。")
    response = client.post("/consultation/feedback/", data)
    assert response.status_code == 200
    sub = Submission.objects.get()
    assert sub.tracking_no.startswith("JC-") and sub.page_url == "/policies/"
    data = form_data(client, url, kind="error_report", page_url="https://evil.example/", text="x")
    assert client.post("/consultation/feedback/", data).status_code == 400
