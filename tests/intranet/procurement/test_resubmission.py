"""A corrected registration arrives as a new registration of the same supplier and is reviewed again."""

import pytest

from exchange.models import OutboundItem
from intranet.procurement.models import SupplierRegistration
from intranet.procurement.services import publishing
from tests.intranet.procurement.conftest import apply, pdf_bytes

pytestmark = pytest.mark.django_db
SUPPLIER = "a" * 32


def _register(registration_id, tmp_path, signer, *, address, at):
    apply("procurement.supplier.register", {
        "registration_id": registration_id, "supplier_id": SUPPLIER, "company_name": "宝鸡市测试科技有限公司",
        "uscc": "91350100M000100Y43", "legal_representative": "张三", "address": address,
        "contacts": [{"name": "张三"}], "submitted_at": at, "files": [{"title": "营业执照"}]},
        [("licence.pdf", pdf_bytes(f"licence-{registration_id}", 2000), "application/pdf")], tmp_path, signer)
    return SupplierRegistration.objects.get(registration_id=registration_id)


def test_a_resubmission_is_reviewed_again_with_the_history_in_view(manager, tmp_path, extranet_key, client,
                                                                   role_user, otp_login):
    first = _register("1" * 32, tmp_path, extranet_key, address="宝鸡", at="2026-03-01T00:00:00Z")
    publishing.review_supplier(first, manager, approve=False, note="注册地址应与执照一致")
    second = _register("2" * 32, tmp_path, extranet_key, address="宝鸡市渭滨区经二路1号", at="2026-03-05T00:00:00Z")
    assert second.status == SupplierRegistration.PENDING and second.supplier_id == first.supplier_id
    assert list(second.earlier_submissions()) == [first]
    user, password, device = role_user("shenhe", "review_suppliers")
    otp_login(client, user.username, password, device, "/admin/")
    page = client.get(f"/admin/procurement/registrations/{second.pk}/review/").content.decode()
    assert "注册地址应与执照一致" in page and "earlier-submissions" in page
    response = client.post(f"/admin/procurement/registrations/{second.pk}/review/", {"decision": "approve",
                                                                                     "note": "资料齐全"})
    assert response.status_code == 302
    assert SupplierRegistration.objects.get(pk=second.pk).status == SupplierRegistration.APPROVED
    reviews = OutboundItem.objects.filter(message_type="procurement.supplier.review").order_by("pk")
    assert [(r.body["registration_id"], r.body["decision"]) for r in reviews] == [
        ("1" * 32, "rejected"), ("2" * 32, "approved")]
    # The same registration arriving twice is recorded once.
    _register("2" * 32, tmp_path, extranet_key, address="x", at="2026-03-05T00:00:00Z")
    assert SupplierRegistration.objects.filter(supplier_id=SUPPLIER).count() == 2
