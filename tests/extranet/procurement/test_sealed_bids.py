"""Sealed bid submission on the extranet: encryption while receiving, receipts, replace, withdraw."""

import base64
import json
from datetime import timedelta

import pytest

from exchange import canonical
from exchange.models import OutboundItem
from extranet.procurement.models import Bid, BidVersion
from extranet.procurement.sealing import bid_store
from extranet.procurement.services import bids as bid_service
from tests.extranet.procurement.conftest import bid_post, decrypt, pdf_bytes, stored_nothing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_bid_store")]


def _ciphertext(bid_key, version, index):
    f = version.files.get(index=index)
    return b"".join(decrypt(bid_key, bid_store() / version.store / p["path"]) for p in f.parts)


def test_bid_files_and_price_are_sealed_and_the_receipt_is_signed(supplier_client, make_tender, bid_key, settings,
                                                                  portal_key, django_capture_on_commit_callbacks):
    from exchange.services import keys

    settings.JINCAI_PROCUREMENT_PART_BYTES = 64 * 1024  # several parts per file
    tender = make_tender()
    first, second = pdf_bytes("technical-offer-7f3a", 200_000), pdf_bytes("commercial-offer-91bc", 5_000)
    with django_capture_on_commit_callbacks(execute=True):
        response = bid_post(supplier_client, tender, [("技术标.pdf", first), ("商务标.pdf", second)],
                            price="654321.09")
    assert response.status_code == 302, response.content[:2000].decode()
    bid = Bid.objects.get(tender=tender)
    version = bid.current()
    page = supplier_client.get(response.url).content.decode()
    import hashlib

    for data in (first, second):
        assert hashlib.sha256(data).hexdigest() in page
    assert "654321.09" not in page
    # The receipt is signed by the portal's exchange key, over its canonical JSON.
    sig = keys.keyring().verify_detached(base64.b64decode(version.receipt_signature), canonical.dumps(version.receipt))
    assert sig.valid and sig.fingerprint == portal_key
    assert [f["sha256"] for f in version.receipt["files"]] == [hashlib.sha256(d).hexdigest() for d in (first, second)]
    # What is stored decrypts, with the tender's key only, to exactly what was uploaded.
    assert len(version.files.get(index=1).parts) == 4
    assert _ciphertext(bid_key, version, 1) == first
    assert _ciphertext(bid_key, version, 2) == second
    form = json.loads(_ciphertext(bid_key, version, 0))
    assert form["price"] == "654321.09" and form["tender_id"] == tender.tender_id
    assert version.receipt["bid_form_sha256"] == version.files.get(index=0).sha256
    for path in (bid_store() / version.store).iterdir():
        assert b"technical-offer-7f3a" not in path.read_bytes() and b"654321" not in path.read_bytes()
    # Queued for the intranet: the sealed bid with the receipt (with the bid's own transaction), then
    # the encrypted parts.
    items = list(OutboundItem.objects.filter(channel="to-intranet").order_by("pk"))
    assert [i.message_type for i in items] == ["procurement.bid.sealed", "procurement.bid.parts"]
    sealed = items[0].body
    assert sealed["receipt"] == version.receipt and "654321" not in json.dumps(sealed)
    parts = [p for i in items if i.message_type == "procurement.bid.parts" for p in i.body["parts"]]
    assert len(parts) == 1 + 4 + 1
    assert all(a["media_type"] == "application/pgp-encrypted" for i in items for a in i.attachments)


def test_receipt_downloads_verify(supplier_client, make_tender):
    from exchange.services import keys

    tender = make_tender()
    bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("x", 4000))])
    bid = Bid.objects.get(tender=tender)
    data = supplier_client.get(f"/supplier/bids/{bid.bid_id}/receipt-v1.json").content
    sig = supplier_client.get(f"/supplier/bids/{bid.bid_id}/receipt-v1.sig").content
    assert keys.keyring().verify_detached(sig, data).valid


@pytest.mark.parametrize("name,content", [
    ("virus.exe", b"MZ\x90\x00\x03" + b"\x00" * 5000),
    ("notes.txt", b"just some text\n" * 100),
    ("page.html", b"<html><body>hello</body></html>" * 50),
])
def test_wrong_file_types_are_refused_with_a_clear_message(supplier_client, make_tender, name, content):
    tender = make_tender()
    response = bid_post(supplier_client, tender, [("ok.pdf", pdf_bytes("fine", 3000)), (name, content)])
    assert response.status_code == 400
    assert "类型不被接受" in response.content.decode()
    assert stored_nothing(tender)


def test_oversized_files_are_refused_and_nothing_is_kept(supplier_client, make_tender, settings):
    settings.JINCAI_PROCUREMENT_MAX_FILE_BYTES = 100_000
    tender = make_tender()
    response = bid_post(supplier_client, tender, [("big.pdf", pdf_bytes("big", 150_000))])
    assert response.status_code == 413
    assert "超过" in response.content.decode() and "MB" in response.content.decode()
    assert stored_nothing(tender)


def test_a_bid_needs_files_a_price_and_confirmation(supplier_client, make_tender):
    tender = make_tender()
    assert bid_post(supplier_client, tender, []).status_code == 400
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))], price="-5").status_code == 400
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))], price="1.234").status_code == 400
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))], confirm=False).status_code == 400
    assert stored_nothing(tender)


def test_only_approved_suppliers_can_bid(client, make_supplier, make_tender, otp_login, portal_key):
    supplier, password, device = make_supplier(status="pending")
    otp_login(client, supplier.user.username, password, device, "/supplier/")
    tender = make_tender()
    response = bid_post(client, tender, [("a.pdf", pdf_bytes("a", 3000))])
    assert response.status_code == 409 and "审核通过" in response.content.decode()
    assert stored_nothing(tender)


def test_deadline_at_the_second_boundary(supplier_client, make_tender, settings):
    tender = make_tender()
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline - timedelta(seconds=1)
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))]).status_code == 302
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    response = bid_post(supplier_client, tender, [("b.pdf", pdf_bytes("b", 3000))])
    assert response.status_code == 409 and "截止" in response.content.decode()
    assert Bid.objects.get(tender=tender).version == 1


def test_deadline_passing_during_the_upload_refuses_the_bid(supplier_client, make_tender, settings):
    tender = make_tender()
    calls = []

    def clock():
        # Before the deadline while the upload starts and streams; past it when the upload ends.
        calls.append(1)
        return tender.bid_deadline - timedelta(seconds=1) if len(calls) <= 3 else tender.bid_deadline

    settings.JINCAI_PROCUREMENT_NOW = clock
    response = bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 50_000))])
    assert response.status_code == 409
    assert "上传完成前已过投标截止时间" in response.content.decode()
    assert stored_nothing(tender)


def test_a_replaced_bid_leaves_only_the_last_version(supplier_client, make_tender, settings, bid_key,
                                                      django_capture_on_commit_callbacks):
    tender = make_tender()
    with django_capture_on_commit_callbacks(execute=True):
        bid_post(supplier_client, tender, [("v1.pdf", pdf_bytes("version-one", 3000))], price="100.00")
        bid_post(supplier_client, tender, [("v2.pdf", pdf_bytes("version-two", 3000))], price="90.00")
    bid = Bid.objects.get(tender=tender)
    v1, v2 = bid.versions.get(version=1), bid.versions.get(version=2)
    assert (v1.status, v2.status, bid.version) == (BidVersion.REPLACED, BidVersion.CURRENT, 2)
    assert not (bid_store() / v1.store).exists()
    assert json.loads(_ciphertext(bid_key, v2, 0))["price"] == "90.00"
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    assert bid_service.close_due_tenders() == [tender.tender_id]
    closing = OutboundItem.objects.get(message_type="procurement.bid.closing")
    assert closing.body["bids"] == [{"bid_id": bid.bid_id, "version": 2}]
    assert bid_service.close_due_tenders() == []  # once only


def test_withdrawn_bids_are_not_listed_and_cannot_be_withdrawn_late(supplier_client, make_tender, settings,
                                                                     django_capture_on_commit_callbacks):
    tender = make_tender()
    bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("withdrawn", 3000))])
    bid = Bid.objects.get(tender=tender)
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(f"/supplier/bids/{bid.bid_id}/withdraw/", {"confirm": "yes"}, follow=True)
    assert "已撤回" in response.content.decode()
    bid.refresh_from_db()
    assert bid.status == Bid.WITHDRAWN and not (bid_store() / bid.current().store).exists()
    assert OutboundItem.objects.filter(message_type="procurement.bid.withdraw", body__bid_id=bid.bid_id).exists()
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    bid_service.close_due_tenders()
    closing = OutboundItem.objects.get(message_type="procurement.bid.closing")
    assert closing.body["bids"] == [] and closing.body["withdrawn"] == 1
    # A bid in force cannot be withdrawn after the deadline.
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline - timedelta(seconds=5)
    bid_post(supplier_client, tender, [("b.pdf", pdf_bytes("again", 3000))])
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    response = supplier_client.post(f"/supplier/bids/{bid.bid_id}/withdraw/", {"confirm": "yes"}, follow=True)
    assert "不能再撤回" in response.content.decode()
    assert Bid.objects.get(pk=bid.pk).status == Bid.SUBMITTED


def test_bids_are_private_to_their_supplier(supplier_client, make_tender, client_factory=None):
    from django.test import Client

    tender = make_tender()
    bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))])
    bid = Bid.objects.get(tender=tender)
    anonymous = Client()
    response = anonymous.get(f"/supplier/bids/{bid.bid_id}/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_parts_are_aes256_and_not_compressed(supplier_client, make_tender, bid_key):
    import subprocess

    tender = make_tender()
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("cipher-check", 20_000))]).status_code == 302
    version = Bid.objects.get(tender=tender).current()
    part = bid_store() / version.store / version.files.get(index=1).parts[0]["path"]
    out = subprocess.run(["gpg", "--homedir", str(bid_key["home"]), "--batch", "--status-fd", "1", "--list-packets",
                          str(part)], capture_output=True, text=True, check=True).stdout
    assert "DECRYPTION_INFO 2 9" in out  # MDC-protected, cipher 9 = AES256
    assert ":compressed packet:" not in out
