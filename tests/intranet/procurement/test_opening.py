"""Bid opening: after the deadline only, by openers with a fresh OTP; tampered, replaced and
withdrawn bids; the published opening record."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exchange.models import OutboundItem
from intranet.procurement.models import IncomingBid, OpenedBid, Tender
from intranet.procurement.services import opening
from intranet.procurement.services.inbound import sealed_store
from tests.conftest import current_token
from tests.intranet.procurement.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def _open(tender, opener):
    user, _, device = opener
    return opening.open_bids(tender, user, current_token(device))


def test_opening_is_refused_before_the_deadline_and_allowed_at_it(sealer, opener, settings):
    tender = sealer.tender
    bid = sealer.bid()
    sealer.close([(bid, 1)])
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline - timedelta(seconds=1)
    with pytest.raises(ValidationError) as exc:
        _open(tender, opener)
    assert "前不能开标" in exc.value.messages[0]
    assert Tender.objects.get(pk=tender.pk).status == Tender.PUBLISHED
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    record = _open(tender, opener).record
    assert [b["status"] for b in record["bids"]] == ["valid"] and record["bids"][0]["price"] == "500000.00"
    assert OutboundItem.objects.filter(message_type="procurement.opening.record").count() == 1


def test_opening_needs_the_opener_role_and_a_valid_otp(sealer, opener, role_user, settings, manager):
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    sealer.close([(sealer.bid(), 1)])
    user, _, device = role_user("notopener", "manage_tenders")
    with pytest.raises(PermissionDenied):
        opening.open_bids(sealer.tender, user, current_token(device))
    with pytest.raises(ValidationError):
        opening.open_bids(sealer.tender, opener[0], "000000")
    assert not OpenedBid.objects.exists()


def test_opening_waits_for_the_extranets_list_of_bids(sealer, opener, settings):
    sealer.bid()
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline + timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        _open(sealer.tender, opener)
    assert "尚未从外网到达" in exc.value.messages[0]


def test_files_decrypt_and_match_the_receipt(sealer, opener, settings):
    content = pdf_bytes("the-technical-offer", 100_000)
    bid = sealer.bid(files={"技术标.pdf": content, "商务标.pdf": pdf_bytes("commercial", 5000)}, price="480000.50")
    sealer.close([(bid, 1)])
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    _open(sealer.tender, opener)
    opened = OpenedBid.objects.get()
    assert opened.valid and opened.price == opened.price.__class__("480000.50")
    from intranet.procurement.models import procurement_root

    assert (procurement_root() / opened.files[0]["stored"]).read_bytes() == content


@pytest.mark.parametrize("tamper", ["flip", "swap"])
def test_a_tampered_bid_fails_at_opening_with_a_clear_record(sealer, opener, settings, tamper):
    good, bad = sealer.bid(company="甲公司"), sealer.bid(company="乙公司", uscc="911101080828461726", tamper=tamper)
    sealer.close([(good, 1), (bad, 1)])
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    record = _open(sealer.tender, opener).record
    by_name = {b["supplier_name"]: b for b in record["bids"]}
    assert by_name["甲公司"]["status"] == "valid"
    assert by_name["乙公司"]["status"] == "invalid"
    expected = "解密失败" if tamper == "flip" else "SHA-256 与回执不符"
    assert any(expected in a for a in by_name["乙公司"]["anomalies"]), by_name["乙公司"]["anomalies"]


def test_ciphertext_altered_on_the_intranet_disk_is_caught(sealer, opener, settings):
    bid = sealer.bid()
    sealer.close([(bid, 1)])
    part = sorted((sealer_dir := sealed_store() / sealer.tender.tender_id / bid / "v1").iterdir())[0]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    assert sealer_dir.exists()
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    entry = _open(sealer.tender, opener).record["bids"][0]
    assert entry["status"] == "invalid" and entry["anomalies"]


def test_a_replaced_bid_leaves_only_the_last_version_valid(sealer, opener, settings):
    bid = sealer.bid(price="600000.00", version=1)
    sealer.bid(bid_id=bid, price="550000.00", version=2)
    assert IncomingBid.objects.get(bid_id=bid, version=1).status == IncomingBid.SUPERSEDED
    sealer.close([(bid, 2)])
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    record = _open(sealer.tender, opener).record
    assert [(b["bid_id"], b["price"]) for b in record["bids"]] == [(bid, "550000.00")]
    assert IncomingBid.objects.get(bid_id=bid, version=1).status == IncomingBid.SUPERSEDED
    assert OpenedBid.objects.get().incoming.version == 2


def test_withdrawn_bids_are_not_opened(sealer, opener, settings):
    kept, withdrawn = sealer.bid(company="甲公司"), sealer.bid(company="丙公司", uscc="911101080828461726")
    sealer.withdraw(withdrawn)
    sealer.close([(kept, 1)], withdrawn=1)
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    record = _open(sealer.tender, opener).record
    assert [b["supplier_name"] for b in record["bids"]] == ["甲公司"] and record["withdrawn"] == 1
    assert IncomingBid.objects.get(bid_id=withdrawn).status == IncomingBid.WITHDRAWN
    assert not OpenedBid.objects.filter(incoming__bid_id=withdrawn).exists()


def test_price_above_the_lot_budget_and_late_receipts_are_anomalies(sealer, opener, settings):
    over = sealer.bid(price="700000.01")
    late = sealer.bid(company="丁公司", uscc="911101080828461726", submitted_at=sealer.tender.bid_deadline)
    sealer.close([(over, 1), (late, 1)])
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    record = {b["bid_id"]: b for b in _open(sealer.tender, opener).record["bids"]}
    assert any("超过" in a for a in record[over]["anomalies"])
    assert any("截止" in a for a in record[late]["anomalies"])


def test_an_unsigned_or_forged_receipt_is_an_anomaly(sealer, opener, settings):
    from exchange.models import TrustedKey

    bid = sealer.bid()
    sealer.close([(bid, 1)])
    TrustedKey.objects.all().delete()  # the signer is not the pinned extranet key
    settings.JINCAI_PROCUREMENT_NOW = sealer.tender.bid_deadline
    entry = _open(sealer.tender, opener).record["bids"][0]
    assert entry["status"] == "invalid" and any("签名" in a for a in entry["anomalies"])
