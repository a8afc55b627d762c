"""Index freshness: records arriving by the exchange update the index through Celery tasks; the
full rebuild recreates entries and index from the database, with progress."""

import re
import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from exchange.models import ReceivedRecord
from search.models import Entry
from search.services import access, engine, indexing
from search.services.query import parse

pytestmark = pytest.mark.django_db


def _record(message_type, body, **extra):
    return ReceivedRecord.objects.create(
        channel="to-extranet", message_type=message_type, version=1, key=str(body["document_id"]),
        package_uuid=uuid.uuid4(), seq=1, item_index=0, classification="public", payload=body, **extra)


POLICY = {"document_id": "d-2009-8", "revision": 1, "title": "关于加快宝鸡市财政信息化及金财工程建设的实施意见",
          "doc_number": "宝市财办信〔2009〕8号", "issuer": "宝鸡市财政局", "issued_on": "2009-03-02",
          "body_html": "<p>以<b>金财工程</b>为统领</p>", "disclosure": "public", "published_at": "2009-03-02T09:00:00+08:00"}


def _found(q):
    indexing.refresh()
    return [h.entry.title for h in engine.run(parse({"q": q}), access.public_entries()).hits]


def test_published_and_withdrawn_policies_follow_the_exchange(celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record("portal.policy.publish", POLICY)
    assert _found("财办信 8号") == [POLICY["title"]]
    with django_capture_on_commit_callbacks(execute=True):
        _record("portal.policy.publish", {**POLICY, "revision": 2, "title": "关于加快金财工程建设的实施意见（修订）"})
    assert _found("财办信 8号") == ["关于加快金财工程建设的实施意见（修订）"]
    with django_capture_on_commit_callbacks(execute=True):
        ReceivedRecord.objects.filter(key="d-2009-8").update(withdrawn=True)
        _record("portal.withdraw", {"document_id": "d-2009-8", "reason": "废止"})
    assert _found("财办信 8号") == []
    assert not Entry.objects.filter(source="exchange").exists()


def test_untrusted_or_non_public_records_are_never_indexed(celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record("portal.policy.publish", POLICY, untrusted=True)
    assert _found("金财工程") == []


def test_rebuild_recreates_entries_and_index_with_progress():
    _record("portal.policy.publish", POLICY)  # arrived while no worker ran: not indexed yet
    indexing.upsert("t:old", source="exchange", kind="policy", title="早已撤回的旧文件", public=True)
    indexing.upsert("t:kept", source="manual", kind="news", title="金财工程新闻", public=True)
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    text = out.getvalue()
    assert "exchange: 1 entries" in text and "1 stale entries removed" in text
    assert re.search(r"indexed (\d+)/\1 \(100%\)", text)
    assert sorted(_found("金财工程")) == sorted([POLICY["title"], "金财工程新闻"])
    assert not Entry.objects.filter(key="t:old").exists()
