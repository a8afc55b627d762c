"""Asking a question: limits, honeypot, challenge, the outbox, tracking, replies and statistics."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import override_settings

from exchange import registry
from exchange.models import OutboundItem
from extranet.consultation.models import QAReplyPage, Submission
from tests.extranet.consultation.conftest import form_data

pytestmark = pytest.mark.django_db
QUESTION = {"topic": "budget", "subject": "预算公开时间", "text": "<script>alert(1)</script>请问部门预算何时公开？",
            "name": "张三", "contact": "13800000000", "wants_public": "on"}


def _apply(message_type, body, version=1):
    mt = registry.check_message(message_type, version, body, "to-extranet", "public")
    mt.apply(registry.ApplyContext(channel="to-extranet", package_uuid=str(uuid.uuid4()), seq=1, signer="A" * 40,
                                   item_index=0, is_last_item=True, message_type=message_type, version=version,
                                   classification="public", ref="", body=registry.sanitized(mt, body)))


def _ask(client, **overrides):
    return client.post("/consultation/ask/", form_data(client, "/consultation/ask/", **{**QUESTION, **overrides}))


def test_a_question_is_received_with_a_tracking_number_and_is_in_the_outbox(portal, client):
    response = _ask(client)
    html = response.content.decode()
    assert response.status_code == 200 and "已收到" in html
    no = re.search(r"ZX-\d{4}-\d{6}", html).group(0)
    sub = Submission.objects.get(tracking_no=no)
    item = OutboundItem.objects.get(pk=sub.outbox_item_id)
    assert (item.channel, item.message_type, item.version, item.status) == ("to-intranet", "consultation.submission", 2,
                                                                             "pending")
    assert item.body["submission_id"] == no and item.body["topic"] == "budget" and item.body["wants_public"] is True
    assert item.body["contact"] == {"name": "张三", "phone": "13800000000"}


def test_html_in_a_question_is_shown_as_text(portal, client):
    no = re.search(r"ZX-\d{4}-\d{6}", _ask(client).content.decode()).group(0)
    html = client.get(f"/consultation/track/?no={no}").content.decode()
    assert "<script>alert(1)</script>" not in html


def test_the_honeypot_and_a_wrong_answer_are_refused_and_nothing_is_queued(portal, client):
    response = _ask(client, website="http://spam.example")
    assert response.status_code == 400 and "本次提交未被受理" in response.content.decode()
    data = form_data(client, "/consultation/ask/", **QUESTION)
    data["challenge_answer"] = "99"
    response = client.post("/consultation/ask/", data)
    assert response.status_code == 400 and "验证问题回答不正确" in response.content.decode()
    assert not Submission.objects.exists() and not OutboundItem.objects.exists()


def test_a_challenge_answer_is_accepted_only_once(portal, client):
    data = form_data(client, "/consultation/ask/", **QUESTION)
    assert client.post("/consultation/ask/", data).status_code == 200
    response = client.post("/consultation/ask/", data)
    assert response.status_code == 400
    assert Submission.objects.count() == 1


def test_an_oversized_question_gets_a_clear_message(portal, client):
    response = _ask(client, text="字" * 5001)
    assert response.status_code == 400
    assert "内容最多 5000 个字（您输入了 5001 个字）" in response.content.decode()


@override_settings(JINCAI_PUBLIC_SUBMISSION_LIMITS=[(600, 2)])
def test_too_many_submissions_from_one_address_are_refused(portal, client, settings):
    from extranet.consultation import limits

    limits.WINDOWS = settings.JINCAI_PUBLIC_SUBMISSION_LIMITS
    try:
        assert _ask(client).status_code == 200
        assert _ask(client).status_code == 200
        response = _ask(client)
        assert response.status_code == 429 and "您的提交过于频繁" in response.content.decode()
        assert Submission.objects.count() == 2
    finally:
        limits.WINDOWS = [(600, 5), (86400, 20)]


def test_status_and_a_public_reply_reach_the_tracking_page_and_the_public_list(portal, client):
    html = _ask(client).content.decode()
    no = re.search(r"ZX-\d{4}-\d{6}", html).group(0)
    _apply("consultation.status", {"submission_id": no, "status": "assigned", "department": "预算科",
                                   "updated_at": "2026-11-30T10:00:00+08:00"})
    page = client.get(f"/consultation/track/?no={no}").content.decode()
    assert "办理中" in page and "预算科" in page
    _apply("consultation.reply", {"submission_id": no, "kind": "question", "subject": "预算公开时间",
                                  "question_text": "请问部门预算何时公开？", "topic": "budget", "department": "预算科",
                                  "reply_html": "<p>部门预算在批复后20日内公开。</p><script>x()</script>",
                                  "received_at": "2026-11-30T10:00:00+08:00", "replied_at": "2026-12-02T10:00:00+08:00",
                                  "publish": True})
    page = client.get(f"/consultation/track/?no={no}").content.decode()
    assert "部门预算在批复后20日内公开" in page and "x()" not in page and "已答复" in page
    reply = QAReplyPage.objects.get(record_id=no)
    listing = client.get("/interaction/").content.decode()
    assert reply.url in listing and "2026-11-30" in listing and "2026-12-02" in listing
    assert "张三" not in client.get(reply.url).content.decode()


def test_a_private_reply_needs_the_access_code(portal, client):
    html = _ask(client, wants_public="").content.decode()
    no = re.search(r"ZX-\d{4}-\d{6}", html).group(0)
    code = re.findall(r'class="tracking-no">([^<]+)<', html)[1]
    _apply("consultation.reply", {"submission_id": no, "kind": "question", "reply_html": "<p>私密答复内容</p>",
                                  "received_at": "2026-11-30T10:00:00+08:00", "replied_at": "2026-12-01T10:00:00+08:00",
                                  "publish": True})
    assert not QAReplyPage.objects.exists()  # the asker did not agree to publication
    assert "私密答复内容" not in client.get(f"/consultation/track/?no={no}").content.decode()
    assert "查询码不正确" in client.get(f"/consultation/track/?no={no}&code=WRONG").content.decode()
    assert "私密答复内容" in client.get(f"/consultation/track/?no={no}&code={code}").content.decode()


def test_public_statistics(portal, client):
    for _ in range(2):
        _ask(client)
    no = Submission.objects.order_by("pk").first().tracking_no
    _apply("consultation.reply", {"submission_id": no, "kind": "question", "reply_html": "<p>答复</p>",
                                  "received_at": "2026-11-30T10:00:00+08:00", "replied_at": "2026-12-01T10:00:00+08:00",
                                  "publish": False})
    Submission.objects.filter(tracking_no=no).update(created_at="2026-11-29T10:00:00+08:00")
    html = client.get("/interaction/").content.decode()
    stats = re.findall(r"<strong>([^<]+)</strong>", html)
    assert stats[:3] == ["2", "1", "2.0"]
