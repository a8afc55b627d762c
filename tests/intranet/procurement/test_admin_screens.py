"""The staff screens in the Wagtail admin: the tender workflow page and its actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intranet.procurement.models import Tender
from tests.conftest import current_token
from tests.intranet.procurement.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, role_user, otp_login):
    user, password, device = role_user("caigou2", "manage_tenders", "review_suppliers", "open_bids")
    otp_login(client, user.username, password, device, "/admin/")
    client.device = device
    return client


def test_a_tender_is_prepared_and_published_through_the_admin(manager_client, make_draft, settings):
    tender = make_draft(document=False, criteria=False)
    url = f"/admin/procurement/tenders/{tender.pk}/"
    page = manager_client.get(url).content.decode()
    assert "请先上传采购文件" in page and "发布采购项目" in page
    manager_client.post(url, {"action": "criterion", "crit-name": "技术", "crit-max_score": "100",
                              "crit-position": "1"})
    manager_client.post(url, {"action": "document", "doc-title": "招标文件",
                              "doc-file": SimpleUploadedFile("z.pdf", pdf_bytes("z", 3000))})
    response = manager_client.post(url, {"action": "publish"}, follow=True)
    assert "专用开标密钥发布" in response.content.decode()
    tender.refresh_from_db()
    assert tender.status == Tender.PUBLISHED and tender.criteria.count() == 1
    response = manager_client.post(url, {"action": "open", "op-token": current_token(manager_client.device)},
                                   follow=True)
    assert "前不能开标" in response.content.decode()
    assert manager_client.get(f"/admin/procurement/tenders/{tender.pk}/ocds/releases.json").status_code == 200
    listing = manager_client.get("/admin/procurement/register/").content.decode()
    assert tender.reference in listing


def test_screens_refuse_staff_without_procurement_roles(client, role_user, otp_login, make_draft):
    tender = make_draft()
    user, password, device = role_user("other")
    otp_login(client, user.username, password, device, "/admin/")
    assert client.get(f"/admin/procurement/tenders/{tender.pk}/").status_code in (302, 403)
