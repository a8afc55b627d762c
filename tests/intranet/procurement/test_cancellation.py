"""Ending a tender (终止/废标): a reason, another manager's approval, the termination notice for the
portal, and sealed bids that are never opened."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from common.audit.models import AuditEvent
from exchange.models import OutboundItem
from intranet.procurement.models import Cancellation, IncomingBid, Tender
from intranet.procurement.services import cancellation, opening
from tests.conftest import current_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(role_user):
    return role_user("kezhang", "manage_tenders")[0]


def test_a_cancellation_needs_a_reason_and_the_approval_of_another_manager(published, manager, chief):
    with pytest.raises(ValidationError) as exc:
        cancellation.request(published, manager, kind="terminated", reason="  ")
    assert "理由" in exc.value.messages[0]
    row = cancellation.request(published, manager, kind="terminated", reason="因预算调整，采购需求取消。")
    with pytest.raises(ValidationError):  # one pending request at a time
        cancellation.request(published, chief, kind="failed", reason="另一个理由")
    with pytest.raises(PermissionDenied):
        cancellation.decide(row, manager, approve=True)
    assert Tender.objects.get(pk=published.pk).status == Tender.PUBLISHED
    assert not OutboundItem.objects.filter(message_type="procurement.tender.cancel").exists()

    cancellation.decide(row, chief, approve=True, comment="同意")
    tender = Tender.objects.get(pk=published.pk)
    assert tender.status == Tender.CANCELLED
    notice = OutboundItem.objects.get(message_type="procurement.tender.cancel")
    assert notice.channel == "to-extranet" and notice.classification == "public"
    assert notice.body["kind"] == "terminated" and notice.body["reason"] == "因预算调整，采购需求取消。"
    assert "终止公告" in notice.body["title"] and tender.reference in notice.body["title"]
    ocds_release = tender.ocds_releases.order_by("-pk").first().release
    assert ocds_release["tag"] == ["tenderCancellation"] and ocds_release["tender"]["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="procurement.tender.cancelled").count() == 1
    with pytest.raises(ValidationError):  # decided once
        cancellation.decide(row, chief, approve=False)


def test_a_rejected_cancellation_leaves_the_tender_running(published, manager, chief):
    row = cancellation.request(published, manager, kind="failed", reason="有效投标不足三家")
    cancellation.decide(row, chief, approve=False, comment="等待截止后再定")
    assert Cancellation.objects.get(pk=row.pk).status == Cancellation.REJECTED
    assert Tender.objects.get(pk=published.pk).status == Tender.PUBLISHED
    assert not OutboundItem.objects.filter(message_type="procurement.tender.cancel").exists()
    cancellation.request(published, manager, kind="failed", reason="有效投标不足三家")  # may be asked again


def test_a_draft_or_awarded_tender_cannot_be_cancelled_and_only_managers_may_ask(make_draft, manager, opener):
    with pytest.raises(ValidationError):
        cancellation.request(make_draft(), manager, kind="terminated", reason="x")
    with pytest.raises(PermissionDenied):
        cancellation.request(make_draft(), opener[0], kind="terminated", reason="x")


def test_bids_of_a_cancelled_tender_are_never_opened(sealer, manager, chief, opener, settings):
    tender = sealer.tender
    bid = sealer.bid()
    cancellation.decide(cancellation.request(tender, manager, kind="failed", reason="废标"), chief, approve=True)
    sealer.close([(bid, 1)])  # a list that arrives after all
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    user, _, device = opener
    with pytest.raises(ValidationError):
        opening.open_bids(Tender.objects.get(pk=tender.pk), user, current_token(device))
    assert IncomingBid.objects.get(bid_id=bid).status == IncomingBid.SEALED
    assert not OutboundItem.objects.filter(message_type="procurement.opening.record").exists()


def test_the_tender_screen_offers_request_and_decision(client, published, role_user, otp_login, manager):
    user, password, device = role_user("kezhang2", "manage_tenders")
    cancellation.request(published, manager, kind="terminated", reason="需求变更")
    otp_login(client, user.username, password, device, "/admin/")
    url = f"/admin/procurement/tenders/{published.pk}/"
    page = client.get(url).content.decode()
    assert "需求变更" in page and 'value="cancel_decide"' in page
    response = client.post(url, {"action": "cancel_decide", "cancellation": published.cancellations.get().pk,
                                 "cd-decision": "approve", "cd-comment": ""})
    assert response.status_code == 302
    assert Tender.objects.get(pk=published.pk).status == Tender.CANCELLED
