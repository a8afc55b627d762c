"""Tender preparation and publication: legal minimums, bid security, the bid-opening key."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import OutboundItem
from intranet.procurement import keys, rules
from intranet.procurement.models import Tender
from intranet.procurement.services import publishing

pytestmark = pytest.mark.django_db
ISSUED = timezone.make_aware(datetime(2026, 3, 6, 9, 0, 0))  # a Friday


@pytest.mark.parametrize("method,ok,short", [
    ("open", ISSUED + timedelta(days=20), ISSUED + timedelta(days=20, seconds=-1)),
    ("invited", ISSUED + timedelta(days=20), ISSUED + timedelta(days=19, hours=23)),
    ("competitive_consultation", ISSUED + timedelta(days=10), ISSUED + timedelta(days=10, seconds=-1)),
    # 3 working days from a Friday: Mon, Tue, Wed.
    ("competitive_negotiation", ISSUED + timedelta(days=5), ISSUED + timedelta(days=5, seconds=-1)),
    ("inquiry", ISSUED + timedelta(days=5), ISSUED + timedelta(days=4)),
])
def test_legal_minimum_periods(method, ok, short):
    clar = ISSUED + timedelta(days=1)
    assert rules.deadline_problems(method, ISSUED, clar, ok, ok) == []
    problems = rules.deadline_problems(method, ISSUED, clar, short, short)
    assert len(problems) == 1 and "至少" in problems[0]


def test_bid_security_is_at_most_two_percent():
    assert rules.security_problem(Decimal("1000000.00"), Decimal("20000.00")) is None
    assert "2%" in rules.security_problem(Decimal("1000000.00"), Decimal("20000.01"))


def test_publishing_refuses_a_tender_that_breaks_the_rules(make_draft, manager):
    tender = make_draft(days=19, security="25000.00", document=False)
    with pytest.raises(ValidationError) as exc:
        publishing.publish(tender, manager)
    text = " ".join(exc.value.messages)
    assert "至少" in text and "2%" in text and "采购文件" in text
    assert Tender.objects.get(pk=tender.pk).status == Tender.DRAFT
    assert not OutboundItem.objects.exists()


def test_publishing_makes_a_key_pair_and_sends_notice_documents_and_public_key(make_draft, manager, settings):
    tender = publishing.publish(make_draft(), manager)
    assert tender.status == Tender.PUBLISHED and len(tender.key_fingerprint) == 40
    notice = OutboundItem.objects.get(message_type="procurement.tender.publish")
    assert notice.channel == "to-extranet" and notice.classification == "public"
    assert notice.body["bid_key"]["fingerprint"] == tender.key_fingerprint
    assert "BEGIN PGP PUBLIC KEY BLOCK" in notice.body["bid_key"]["public_key"]
    assert "PRIVATE KEY" not in str(notice.body) and len(notice.attachments) == 1
    assert OutboundItem.objects.filter(message_type="procurement.ocds.release").count() == 1
    # The secret key lives only in the tender's own GnuPG home; its passphrase only sealed.
    assert keys.tender_home(tender).is_dir()
    assert "BEGIN PGP MESSAGE" in tender.sealed_passphrase
    assert len(keys.unseal_passphrase(tender.sealed_passphrase)) >= 32
    with pytest.raises(ValidationError):
        publishing.publish(tender, manager)  # once


def test_only_managers_publish(make_draft, role_user):
    from django.core.exceptions import PermissionDenied

    clerk = role_user("clerk", "evaluate_bids")[0]
    with pytest.raises(PermissionDenied):
        publishing.publish(make_draft(), clerk)


def test_late_amendment_needs_an_extension_which_notifies_bidders(published, manager, settings):
    settings.JINCAI_PROCUREMENT_NOW = published.bid_deadline - timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        publishing.amend(published, manager, title="技术参数修改", description="第3.2条修改")
    assert "延长" in exc.value.messages[0]
    new = published.bid_deadline + timedelta(days=6)
    publishing.amend(published, manager, title="技术参数修改", description="第3.2条修改", new_bid_deadline=new,
                     reason="技术参数调整")
    published.refresh_from_db()
    assert published.bid_deadline == new
    ext = OutboundItem.objects.get(message_type="procurement.tender.deadline_extended")
    assert ext.body["bid_deadline"].startswith(new.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    assert OutboundItem.objects.filter(message_type="procurement.tender.amend").count() == 1
    # A minor amendment that does not affect bids needs no extension.
    publishing.amend(published, manager, title="联系人变更", description="联系人改为钱进", affects_bids=False)


def test_clarification_answers_are_published_without_identity(published, manager, sealer, tmp_path):
    from tests.intranet.procurement.conftest import apply

    apply("procurement.clarification.question", {"question_id": "a" * 32, "tender_id": published.tender_id,
                                                  "text": "交付期限？", "asked_at": "2026-03-01T00:00:00Z"},
          [], tmp_path, sealer.signer)
    question = published.questions.get()
    publishing.answer(published, manager, question="关于交付期限", answer_text="合同签订后 30 日内。",
                      questions=[question])
    item = OutboundItem.objects.get(message_type="procurement.clarification.answer")
    assert item.body["question_ids"] == ["a" * 32]
    assert set(item.body) == {"tender_id", "answer_id", "question", "answer", "question_ids", "published_at",
                              "disclosure"}
