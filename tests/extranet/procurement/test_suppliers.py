"""Supplier registration, the unified social credit code, and what the intranet publishes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exchange.models import OutboundItem
from extranet.procurement import uscc
from extranet.procurement.models import Bid, Notification, Participation, Question, Supplier
from tests.extranet.procurement.conftest import apply, bid_post, iso, pdf_bytes


def _code(first17: str) -> str:
    return first17 + uscc.check_character(first17)


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # the example printed in GB 32100-2015 guidance
    "911101080828461726",
    _code("91610301MA6X00001"),
    _code("12100000400000111"),  # a public institution (事业单位)
    _code("51610000MJY000012"),  # a social organization
])
def test_valid_codes(code):
    assert uscc.is_valid(code)
    assert uscc.is_valid(code.lower())


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # wrong check character
    "91350100M000100Y4",  # 17 characters
    "91350100M000100Y433",  # 19 characters
    "91350100I000100Y43",  # I is never used
    "91350100M0O0100Y43",  # O is never used
    "9135010SM000100Y43",  # S is never used, and the division code is digits
    "91350100M000100Z43",  # Z is never used
    "91350100M000100V43",  # V is never used
    "",
])
def test_invalid_codes(code):
    assert not uscc.is_valid(code)


@pytest.mark.django_db
def test_registration_is_sent_for_review_and_the_result_comes_back(client, portal_key, tmp_path):
    licence = SimpleUploadedFile("营业执照.pdf", pdf_bytes("licence", 2000), content_type="application/pdf")
    response = client.post("/procurement/register/", {
        "company_name": "宝鸡市测试科技有限公司", "uscc": "9135 0100 M000 100Y43", "legal_representative": "张三",
        "address": "宝鸡市渭滨区", "contact_name": "张三", "contact_phone": "0917-1234567",
        "email": "zhang@example.invalid", "licence": licence, "username": "testco",
        "password": "Fresh-Cedar-93!x", "password2": "Fresh-Cedar-93!x"})
    assert response.status_code == 302, response.content.decode()[:3000]
    supplier = Supplier.objects.get(uscc="91350100M000100Y43")
    assert supplier.status == Supplier.PENDING and supplier.files.count() == 1
    item = OutboundItem.objects.get(message_type="procurement.supplier.register")
    assert item.channel == "to-intranet" and item.body["uscc"] == supplier.uscc and len(item.attachments) == 1
    apply("procurement.supplier.review", {
        "registration_id": supplier.registration_id, "supplier_id": supplier.supplier_id, "decision": "approved",
        "note": "资料齐全", "reviewed_at": iso(timezone.now()), "disclosure": "public"}, tmp_path=tmp_path)
    supplier.refresh_from_db()
    assert supplier.approved
    assert Notification.objects.filter(supplier=supplier, subject__contains="审核通过").exists()


@pytest.mark.django_db
def test_registration_refuses_bad_codes_and_files(client):
    response = client.post("/procurement/register/", {
        "company_name": "X", "uscc": "91350100M000100Y44", "legal_representative": "张三", "address": "A",
        "contact_name": "张三", "contact_phone": "1", "email": "a@example.invalid",
        "licence": SimpleUploadedFile("licence.pdf", b"MZ\x90\x00not a pdf" * 50), "username": "xco",
        "password": "Fresh-Cedar-93!x", "password2": "Fresh-Cedar-93!x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "不是有效的统一社会信用代码" in page and "类型" in page
    assert not Supplier.objects.exists() and not OutboundItem.objects.exists()


@pytest.mark.django_db
def test_questions_travel_without_the_askers_identity(supplier_client, make_tender, tmp_path):
    tender = make_tender()
    supplier_client.post(f"/supplier/tenders/{tender.tender_id}/ask/", {"text": "付款方式是什么？"})
    question = Question.objects.get()
    item = OutboundItem.objects.get(message_type="procurement.clarification.question")
    assert set(item.body) == {"question_id", "tender_id", "text", "asked_at"}
    assert supplier_client.supplier.company_name not in str(item.body)
    apply("procurement.clarification.answer", {
        "tender_id": tender.tender_id, "answer_id": f"{tender.tender_id}-C1", "question": "付款方式？",
        "answer": "验收后 30 日内支付。", "question_ids": [question.question_id], "published_at": iso(timezone.now()),
        "disclosure": "public"}, tmp_path=tmp_path)
    question.refresh_from_db()
    assert question.answer is not None
    page = supplier_client.get(f"/procurement/{tender.tender_id}/").content.decode()
    assert "验收后 30 日内支付。" in page and supplier_client.supplier.company_name not in page


@pytest.mark.django_db
def test_deadline_extension_notifies_registered_bidders(supplier_client, make_tender, make_supplier, tmp_path,
                                                        mailoutbox):
    tender = make_tender()
    doc = tender.documents.first()
    assert supplier_client.get(f"/supplier/tenders/{tender.tender_id}/documents/{doc.pk}/").status_code == 200
    assert Participation.objects.filter(tender=tender, supplier=supplier_client.supplier).exists()
    bystander, _, _ = make_supplier("bystander", uscc="911101080828461726")
    new = tender.bid_deadline + timedelta(days=7)
    apply("procurement.tender.deadline_extended", {
        "tender_id": tender.tender_id, "previous_deadline": iso(tender.bid_deadline), "bid_deadline": iso(new),
        "opening_at": iso(new), "reason": "采购需求调整", "published_at": iso(timezone.now()),
        "disclosure": "public"}, tmp_path=tmp_path)
    tender.refresh_from_db()
    assert tender.bid_deadline == new
    assert Notification.objects.filter(supplier=supplier_client.supplier, subject__contains="截止时间延长").exists()
    assert not Notification.objects.filter(supplier=bystander).exists()


@pytest.mark.django_db
def test_suppliers_see_their_own_status_after_opening_and_award(supplier_client, make_tender, tmp_path):
    tender = make_tender()
    bid_post(supplier_client, tender, [("a.pdf", pdf_bytes("a", 3000))])
    bid = Bid.objects.get()
    now = iso(timezone.now())
    apply("procurement.opening.record", {
        "tender_id": tender.tender_id, "opened_at": now, "opened_by": "周强", "withdrawn": 0, "published_at": now,
        "bids": [{"bid_id": bid.bid_id, "supplier_name": "acme 有限公司", "uscc": "91350100M000100Y43", "lot": 1,
                  "price": "123456.78", "status": "valid", "anomalies": [], "files": 1}],
        "disclosure": "public"}, tmp_path=tmp_path)
    apply("procurement.award.notice", {
        "tender_id": tender.tender_id, "published_at": now, "awards": [
            {"lot": 1, "bid_id": bid.bid_id, "supplier_name": "acme 有限公司", "uscc": "91350100M000100Y43",
             "amount": "123456.78", "score": "88.50"}],
        "results": [{"bid_id": bid.bid_id, "outcome": "awarded", "rank": 1}], "disclosure": "public"},
        tmp_path=tmp_path)
    page = supplier_client.get("/supplier/").content.decode()
    assert "已中标" in page
    public = supplier_client.get(f"/procurement/{tender.tender_id}/").content.decode()
    assert "开标记录" in public and "中标公告" in public and "123456.78" in public
