"""Exchange with the provincial bureau (simulated) and release to the public portal.

Uses the exchange's own test fixtures: real GnuPG keys, a private exchange state per test.
"""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from common.audit.models import AuditEvent
from exchange.errors import MessageRefused
from exchange.models import OutboundItem, ReceivedRecord
from exchange.province_sim import Province
from exchange.services import outbox
from intranet.oa.models import Document
from intranet.oa.permissions import open_tasks
from intranet.oa.services.release import release_to_portal
from intranet.oa.workflow import transition
from tests.exchange_support import PDF, item, policy_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(xenv, tmp_path):
    """The simulated provincial bureau, keys exchanged both ways with this intranet."""
    sim = Province(tmp_path / "province", xenv.root / "ferry")
    sim.init()
    city_key = tmp_path / "city.asc"
    city_key.write_text(xenv.keys["intranet"].public)
    sim.trust(city_key)
    from exchange.services import keys

    keys.trust(sim.public_key_path.read_bytes(), ["from-province"], label="province")
    return sim


def test_a_document_from_the_province_lands_in_the_incoming_register(bureau, province, xenv, tmp_path):
    attachment = tmp_path / "通知.pdf"
    attachment.write_bytes(PDF)
    province.send([attachment], "关于做好财政信息化工作的通知", "陕财办〔2026〕12号")
    report = xenv.import_all()
    assert report.ok and report.applied == [("from-province", 1)]
    doc = Document.objects.get(kind="in")
    assert (doc.state, doc.source_agency, doc.source_number) == ("arrived", "省财政厅", "陕财办〔2026〕12号")
    [f] = doc.files.all()
    assert f.sha256 == hashlib.sha256(PDF).hexdigest() and f.media_type == "application/pdf"
    assert open_tasks(bureau.zhangwei).filter(document=doc).exists()  # the office clerk signs for it
    assert not ReceivedRecord.objects.filter(message_type="oa.official_document").exists()
    doc = transition(doc, "receive", bureau.zhangwei)
    assert transition(doc, "register", bureau.zhangwei).state == "registered"
    assert xenv.import_all().applied == []  # nothing applied twice
    assert Document.objects.filter(kind="in").count() == 1


def test_an_issued_document_reaches_the_province_signed_and_encrypted(bureau, province, issued, xenv):
    doc = issued()
    doc = transition(doc, "distribute", bureau.zhangwei, to_province=True)
    assert doc.distributions.filter(channel="province").exists()
    [package] = outbox.export_channel("to-province")
    assert package.item_count == 1
    raw = (xenv.root / "ferry" / "to-province" / package.file_name).read_bytes()
    assert doc.title.encode() not in raw  # encrypted on the way
    result = province.receive()
    assert result["received"] == [1] and not result["rejected"]
    received = province.dir / "received" / "000001"
    body = json.loads((received / "0-message.json").read_text())
    assert body["doc_number"] == doc.doc_number and body["title"] == doc.title
    pdfs = [p for p in received.iterdir() if p.suffix == ".pdf"]
    assert hashlib.sha256(pdfs[0].read_bytes()).hexdigest() == doc.pdf_sha256


def test_only_issued_documents_go_to_the_province(bureau, draft):
    from intranet.oa.services.province import send_to_province

    with pytest.raises(ValidationError) as exc:
        send_to_province(draft(), bureau.zhangwei)
    assert "印发" in exc.value.messages[0]


# ----------------------------------------------------------------------------- release to the public
def test_a_public_issued_document_is_queued_for_the_portal(bureau, issued):
    doc = issued(disclosure="public", note="此件公开发布")
    item_ = release_to_portal(doc, bureau.zhangwei)
    assert (item_.channel, item_.message_type, item_.version, item_.classification) == (
        "to-extranet", "portal.policy.publish", 1, "public")
    assert item_.body["doc_number"] == doc.doc_number and item_.body["revision"] == 1
    assert release_to_portal(doc, bureau.zhangwei).body["revision"] == 2  # a re-release is a new revision
    assert doc.events.filter(transition="release").count() == 2


@pytest.mark.parametrize("fields, expected", [
    ({"secrecy": "secret", "secrecy_period": "1年", "copy_number": "000003", "disclosure": "not_public"}, "密级"),
    ({"secrecy": "confidential", "copy_number": "000004", "disclosure": "on_request"}, "密级"),
    ({"disclosure": "on_request"}, "主动公开"),
])
def test_classified_or_not_public_documents_are_never_released(bureau, issued, fields, expected):
    doc = issued(**{"disclosure": "public", **fields})
    with pytest.raises(ValidationError) as exc:
        release_to_portal(doc, bureau.zhangwei)
    assert expected in " ".join(exc.value.messages)
    assert not OutboundItem.objects.filter(channel="to-extranet").exists()
    assert AuditEvent.objects.filter(action="oa.release_refused", object_id=str(doc.pk)).exists()
    doc.refresh_from_db()
    assert doc.released_at is None


def test_release_needs_an_issued_document_and_the_right(bureau, draft, issued):
    with pytest.raises(ValidationError) as exc:
        release_to_portal(draft(disclosure="public"), bureau.zhangwei)
    assert "印发" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        release_to_portal(issued(disclosure="public"), bureau.zhaolei)
    assert not OutboundItem.objects.filter(channel="to-extranet").exists()


def test_the_exchange_refuses_a_classified_policy_at_export(xenv):
    marked = policy_body(title="秘密★1年 关于某事项的通知")
    with pytest.raises(MessageRefused):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, marked)
    with pytest.raises(MessageRefused):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(), classification="restricted")
    # A queued message changed afterwards is checked again when it is packed.
    queued = outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body())
    OutboundItem.objects.filter(pk=queued.pk).update(body={**queued.body, "body_html": "<p>机密</p><p>正文</p>"})
    assert outbox.export_channel("to-extranet") == []
    queued.refresh_from_db()
    assert queued.status == OutboundItem.REFUSED and "密级" in queued.refused_reason


def test_the_extranet_refuses_a_classified_policy_at_import(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    sender = xenv.sender("intranet", "to-extranet")
    sender.send([item("portal.policy.publish", policy_body(title="绝密★长期 关于某事项的通知"))])
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["classification"]
    assert not ReceivedRecord.objects.exists()
    sender.send([item("portal.policy.publish", policy_body(2), classification="internal")], seq=1,
                prev="0" * 64)
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["classification"] and not ReceivedRecord.objects.exists()
