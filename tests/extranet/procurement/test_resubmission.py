"""A rejected supplier sees why, corrects the registration and sends it again for review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exchange.models import OutboundItem
from extranet.procurement.models import Supplier
from tests.extranet.procurement.conftest import apply, iso, pdf_bytes

pytestmark = pytest.mark.django_db

FIELDS = {"company_name": "宝鸡市测试科技有限公司", "uscc": "91350100M000100Y43", "legal_representative": "张三",
          "address": "宝鸡市渭滨区经二路1号", "contact_name": "张三", "contact_phone": "0917-1234567",
          "email": "zhang@example.invalid"}


def _reject(supplier, tmp_path, note="营业执照复印件不清晰，请重新上传；注册地址应与执照一致。"):
    apply("procurement.supplier.review", {
        "registration_id": supplier.registration_id, "supplier_id": supplier.supplier_id, "decision": "rejected",
        "note": note, "reviewed_at": iso(timezone.now()), "disclosure": "public"}, tmp_path=tmp_path)
    supplier.refresh_from_db()
    return supplier


@pytest.fixture
def rejected(client, make_supplier, otp_login, portal_key, tmp_path):
    supplier, password, device = make_supplier(status="pending")
    otp_login(client, supplier.user.username, password, device, "/supplier/")
    return _reject(supplier, tmp_path)


def test_the_rejected_supplier_sees_the_reasons_and_resubmits_corrected_data(client, rejected, tmp_path):
    page = client.get("/supplier/").content.decode()
    assert "营业执照复印件不清晰" in page and "/supplier/registration/resubmit/" in page
    page = client.get("/supplier/registration/resubmit/").content.decode()
    assert "营业执照复印件不清晰" in page and "注册地址应与执照一致" in page
    old_registration = rejected.registration_id
    licence = SimpleUploadedFile("新执照.pdf", pdf_bytes("clear-licence", 3000), content_type="application/pdf")
    response = client.post("/supplier/registration/resubmit/", {**FIELDS, "licence": licence})
    assert response.status_code == 302
    supplier = Supplier.objects.get(pk=rejected.pk)
    assert supplier.status == Supplier.PENDING and supplier.registration_id != old_registration
    assert supplier.address == FIELDS["address"] and supplier.files.count() == 1
    item = OutboundItem.objects.get(message_type="procurement.supplier.register")
    assert item.body["registration_id"] == supplier.registration_id
    assert item.body["supplier_id"] == supplier.supplier_id and item.body["address"] == FIELDS["address"]
    assert len(item.attachments) == 1
    # A late answer about the old registration changes nothing; the answer about the new one counts.
    apply("procurement.supplier.review", {
        "registration_id": old_registration, "supplier_id": supplier.supplier_id, "decision": "approved",
        "note": "", "reviewed_at": iso(timezone.now()), "disclosure": "public"}, tmp_path=tmp_path)
    assert Supplier.objects.get(pk=supplier.pk).status == Supplier.PENDING
    apply("procurement.supplier.review", {
        "registration_id": supplier.registration_id, "supplier_id": supplier.supplier_id, "decision": "approved",
        "note": "资料齐全", "reviewed_at": iso(timezone.now()), "disclosure": "public"}, tmp_path=tmp_path)
    assert Supplier.objects.get(pk=supplier.pk).approved


def test_without_new_files_the_earlier_files_travel_again(client, rejected):
    rejected.files.create(title="营业执照", file=SimpleUploadedFile("l.pdf", pdf_bytes("old", 2000)),
                          media_type="application/pdf", size=2000, sha256="0" * 64)
    response = client.post("/supplier/registration/resubmit/", FIELDS)
    assert response.status_code == 302
    item = OutboundItem.objects.get(message_type="procurement.supplier.register")
    assert [f["title"] for f in item.body["files"]] == ["营业执照"] and len(item.attachments) == 1


def test_resubmission_refuses_bad_input_and_is_only_for_rejected_suppliers(client, rejected, make_supplier):
    page = client.post("/supplier/registration/resubmit/", {**FIELDS, "uscc": "91350100M000100Y44"}).content.decode()
    assert "不是有效的统一社会信用代码" in page
    other = SimpleUploadedFile("资质.pdf", pdf_bytes("q", 2000), content_type="application/pdf")
    page = client.post("/supplier/registration/resubmit/", {**FIELDS, "qualifications": other}).content.decode()
    assert "营业执照" in page
    assert Supplier.objects.get(pk=rejected.pk).status == Supplier.REJECTED
    assert not OutboundItem.objects.filter(message_type="procurement.supplier.register").exists()
    Supplier.objects.filter(pk=rejected.pk).update(status=Supplier.PENDING)
    response = client.post("/supplier/registration/resubmit/", FIELDS)
    assert response.status_code == 302
    assert not OutboundItem.objects.filter(message_type="procurement.supplier.register").exists()
