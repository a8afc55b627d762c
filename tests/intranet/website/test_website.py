"""The internal website: an item reaches only its addressees (others get a 404, also for its
attachments); opening it records one read receipt; required reading stays on the home page until
read; the author sees who read it, per department, and exports the list; attachments are checked
by their content."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook
from wagtail.documents import get_document_model

from common.audit.models import AuditEvent
from intranet.website import services
from intranet.website.models import Notice, NoticeAttachment, ReadReceipt

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def document(name, data):
    return get_document_model().objects.create(title=name, file=ContentFile(data, name=name))


def test_an_item_for_one_department_reaches_only_it_and_its_sub_departments(office, publish, as_user):
    notice = publish(departments=["YSK"])
    for username in ("wangfang", "xiaoyu"):
        client = as_user(username)
        assert client.get(f"/website/{notice.pk}/").status_code == 200
        assert notice.title in client.get("/website/").content.decode()
    client = as_user("zhaolei")
    assert client.get(f"/website/{notice.pk}/").status_code == 404
    assert notice.title not in client.get("/website/").content.decode()
    assert notice.title not in client.get("/").content.decode()
    assert not ReadReceipt.objects.filter(user=office.zhaolei).exists()


def test_a_draft_is_seen_only_by_its_author(office, publish, as_user):
    draft = publish(published=False)
    assert as_user("wangfang").get(f"/website/{draft.pk}/").status_code == 404
    client = as_user("lina")
    assert client.get(f"/website/{draft.pk}/").status_code == 200
    assert not ReadReceipt.objects.filter(notice=draft).exists()


def test_opening_an_item_records_one_receipt(office, publish, as_user):
    notice = publish()
    client = as_user("wangfang")
    page = client.get(f"/website/{notice.pk}/").content.decode()
    receipt = ReadReceipt.objects.get(notice=notice, user=office.wangfang)
    assert "您已于" in page
    client.get(f"/website/{notice.pk}/")
    assert ReadReceipt.objects.filter(notice=notice).count() == 1
    assert ReadReceipt.objects.get(pk=receipt.pk).read_at == receipt.read_at
    assert AuditEvent.objects.filter(action="website.notice.read", object_id=str(notice.pk)).count() == 1


def test_required_reading_stays_on_the_home_page_until_read(office, publish, as_user):
    notice = publish(title="国庆节值班安排", required=True)
    client = as_user("zhaolei")
    home = client.get("/").content.decode()
    assert "必读" in home and f"/website/{notice.pk}/" in home
    client.get(f"/website/{notice.pk}/")
    home = client.get("/").content.decode()
    assert "必读" not in home and notice.title in home  # still among the latest items
    assert not services.unread_required(office.zhaolei).exists()
    assert services.unread_required(office.wangfang).exists()


def test_the_author_sees_read_and_unread_per_department_and_exports_it(office, publish, as_user):
    notice = publish(departments=["YSK", "GKK"])
    as_user("wangfang").get(f"/website/{notice.pk}/")
    client = as_user("lina")
    page = client.get(f"/website/{notice.pk}/receipts/").content.decode()
    assert "预算科" in page and "国库科" in page and "已读 1 / 3 人" in page
    groups = {g["department"]: g for g in services.receipts(notice, office.lina)}
    assert [p.username for p, _at in groups["预算科"]["read"]] == ["wangfang"]
    assert [p.username for p in groups["预算科一股"]["unread"]] == ["xiaoyu"]
    assert [p.username for p in groups["国库科"]["unread"]] == ["zhaolei"]
    assert "办公室" not in groups  # not addressed
    export = client.get(f"/website/{notice.pk}/receipts/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    read_row = next(r for r in rows[1:] if r[2] == "wangfang")
    assert read_row[:4] == ("预算科", "wangfang", "wangfang", "是") and read_row[4]
    assert {r[2] for r in rows[1:] if r[3] == "否"} == {"xiaoyu", "zhaolei"}


def test_readers_cannot_see_the_receipts_but_a_leader_with_the_permission_can(office, publish, as_user):
    notice = publish()
    reader = as_user("wangfang")
    assert reader.get(f"/website/{notice.pk}/receipts/").status_code == 403
    assert reader.get(f"/website/{notice.pk}/receipts/?format=xlsx").status_code == 403
    assert as_user("liuyang").get(f"/website/{notice.pk}/receipts/").status_code == 200


def test_attachments_are_checked_by_content_and_served_only_to_addressees(office, publish, as_user):
    notice = publish(departments=["YSK"])
    good = NoticeAttachment.objects.create(notice=notice, document=document("办法全文.pdf", PDF))
    services.saved(notice, office.lina, created=False)
    assert NoticeAttachment.objects.get(pk=good.pk).media_type == "application/pdf"
    response = as_user("wangfang").get(f"/website/{notice.pk}/attachments/{good.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and b"".join(response.streaming_content) == PDF
    assert as_user("zhaolei").get(f"/website/{notice.pk}/attachments/{good.pk}/").status_code == 404
    from django.core.exceptions import ValidationError

    NoticeAttachment.objects.create(notice=notice, document=document("伪装.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200))
    with pytest.raises(ValidationError):
        services.saved(notice, office.lina, created=False)


def _draftail(text):
    return json.dumps({"blocks": [{"key": "a1b2c", "text": text, "type": "unstyled", "depth": 0,
                                   "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}})


def _form(title, **extra):
    data = {"kind": "rule", "title": title, "doc_number": "宝财办〔2026〕9号", "body": _draftail("全文见附件。"),
            "audience_all": "", "is_published": "on", "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


def test_the_author_publishes_through_the_admin_and_a_disguised_file_is_refused(office, as_user):
    client = as_user("lina")
    fake = document("通知.pdf", b"<html><script>alert(1)</script></html>")
    form = _form("内网安全管理规定", departments=[office.dept["YSK"].pk], **{
        "attachments-TOTAL_FORMS": "1", "attachments-0-document": str(fake.pk), "attachments-0-ORDER": "1",
        "attachments-0-id": ""})
    response = client.post("/admin/intranet_website_notices/new/", form)
    assert response.status_code == 200 and not Notice.objects.filter(title="内网安全管理规定").exists()
    assert "不被接受" in response.content.decode()
    pdf = document("规定.pdf", PDF)
    form["attachments-0-document"] = str(pdf.pk)
    response = client.post("/admin/intranet_website_notices/new/", form)
    notice = Notice.objects.get(title="内网安全管理规定")
    assert response.status_code == 302 and notice.author == office.lina and notice.published_at
    assert notice.attachments.get().media_type == "application/pdf"
    assert AuditEvent.objects.filter(action="website.notice.create", object_id=str(notice.pk)).exists()
    missing = client.post("/admin/intranet_website_notices/new/", _form("无对象的通知"))
    assert missing.status_code == 200 and not Notice.objects.filter(title="无对象的通知").exists()


def test_only_the_author_edits_an_item(office, publish, as_user):
    notice = publish()
    from django.contrib.auth.models import Permission

    office.wangfang.user_permissions.add(*Permission.objects.filter(content_type__app_label="intranet_website",
                                                                    codename__in=["change_notice", "view_notice"]))
    response = as_user("wangfang").get(f"/admin/intranet_website_notices/edit/{notice.pk}/")
    assert response.status_code in (302, 403)
    assert as_user("lina").get(f"/admin/intranet_website_notices/edit/{notice.pk}/").status_code == 200


def test_the_raw_document_url_does_not_bypass_the_audience(office, publish, as_user):
    """The addressee reads the attachment through the item; nobody outside the document library's
    permissions gets it from Wagtail's /documents/ URL, addressee or not."""
    notice = publish(departments=["YSK"])
    attachment = NoticeAttachment.objects.create(notice=notice, document=document("内部办法.pdf", PDF))
    url = attachment.document.url
    assert url.startswith("/documents/")
    for username in ("zhaolei", "wangfang"):
        assert as_user(username).get(url).status_code == 404
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission

    editors = Group.objects.create(name="文档库管理员")
    GroupCollectionPermission.objects.create(
        group=editors, collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(content_type__app_label="wagtaildocs", codename="choose_document"))
    office.lina.groups.add(editors)
    response = as_user("lina").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
