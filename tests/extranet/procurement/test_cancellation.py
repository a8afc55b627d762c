"""A termination notice (终止公告) from the intranet: published, bids refused, bidders told, no closing list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exchange.models import OutboundItem
from extranet.procurement.models import Bid, Notification, Tender
from extranet.procurement.services import bids as bid_service
from tests.extranet.procurement.conftest import apply, bid_post, iso, pdf_bytes, stored_nothing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_bid_store")]


def _cancel(tender, tmp_path, kind="terminated"):
    apply("procurement.tender.cancel", {
        "tender_id": tender.tender_id, "kind": kind, "title": f"终止公告：{tender.reference} {tender.title}",
        "reason": "因采购需求发生重大变化，本项目终止。", "published_at": iso(timezone.now()), "disclosure": "public"},
        tmp_path=tmp_path)
    return Tender.objects.get(pk=tender.pk)


def test_after_the_notice_no_bid_is_accepted_and_bidders_are_told(supplier_client, make_tender, make_supplier,
                                                                  tmp_path, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    tender = make_tender()
    assert bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("first", 3000))]).status_code == 302
    bystander, _, _ = make_supplier("bystander", uscc="911101080828461726")
    with django_capture_on_commit_callbacks(execute=True):
        tender = _cancel(tender, tmp_path)
    assert not tender.accepting_bids() and tender.status_label() == "已终止"
    notice = Notification.objects.get(supplier=supplier_client.supplier, tender=tender)
    assert "终止公告" in notice.subject and "重大变化" in notice.text
    assert not Notification.objects.filter(supplier=bystander).exists()
    assert len(mailoutbox) == 1 and "终止公告" in mailoutbox[0].subject
    before = Bid.objects.get().version
    response = bid_post(supplier_client, tender, [("b.pdf", pdf_bytes("second", 3000))])
    assert response.status_code == 409 and "已终止" in response.content.decode()
    assert Bid.objects.get().version == before
    page = supplier_client.get(f"/procurement/{tender.tender_id}/").content.decode()
    assert "termination-notice" in page and "重大变化" in page and "不会开启" in page
    assert tender not in supplier_client.get("/supplier/").context["open_tenders"]
    # The notice is applied once; a repeat changes nothing.
    _cancel(tender, tmp_path)
    assert Notification.objects.filter(supplier=supplier_client.supplier, tender=tender).count() == 1


def test_a_bid_whose_upload_ends_after_the_notice_is_not_recorded(supplier_client, make_tender, tmp_path):
    from extranet.procurement.sealing import BidUploadHandler

    tender = make_tender()
    handler = BidUploadHandler(None, key_file=bid_service.key_file(tender), deadline=tender.bid_deadline)
    handler.new_file("files", "a.pdf", "application/pdf", None)
    handler.receive_data_chunk(pdf_bytes("late", 4000), 0)
    handler.file_complete(4000)
    _cancel(tender, tmp_path, kind="failed")
    with pytest.raises(bid_service.SealingError) as exc:
        bid_service.submit(tender.pk, supplier_client.supplier, 1, Decimal("100.00"), handler)
    handler.discard()
    assert exc.value.code == "cancelled" and stored_nothing(tender)


def test_a_cancelled_tender_sends_no_closing_list(make_tender, tmp_path, settings):
    tender = _cancel(make_tender(), tmp_path, kind="failed")
    assert tender.status_label() == "已废标"
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline + timedelta(seconds=1)
    assert bid_service.close_due_tenders() == []
    assert not OutboundItem.objects.filter(message_type="procurement.bid.closing").exists()
