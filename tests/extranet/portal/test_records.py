"""Official records arriving by exchange become portal pages, read-only, withdrawn on request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from extranet.portal.models import (
    ArticlePage,
    DatasetPage,
    InterpretationPage,
    PolicyDocumentPage,
)
from tests.extranet.portal.conftest import apply, policy_body

pytestmark = pytest.mark.django_db


def test_a_policy_is_published_and_reachable_from_the_home_page(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    home = client.get("/")
    assert 'href="/policies/"' in home.content.decode()
    library = client.get("/policies/").content.decode()
    assert "/policies/zc-p-1/" in library and "宝市财办信〔2009〕8号" in library
    page = client.get("/policies/zc-p-1/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("宝市财办信〔2009〕8号", "宝鸡市财政局办公室", "实施意见", "2009-08-24", "有效", "财政信息化建设"):
        assert text in html, text


def test_v1_messages_of_the_document_register_are_applied_too(portal, client):
    body = policy_body("OA-1")
    for key in ("document_type", "topic", "supersedes"):
        body.pop(key)
    apply("portal.policy.publish", body, version=1)
    assert client.get("/policies/zc-oa-1/").status_code == 200


def test_a_newer_revision_updates_and_an_older_one_never_goes_back(portal, client):
    apply("portal.policy.publish", policy_body(revision=2, title="第二版标题"), version=2)
    apply("portal.policy.publish", policy_body(revision=1, title="第一版标题"), version=2)
    page = PolicyDocumentPage.objects.get(record_id="P-1")
    assert (page.title, page.revision) == ("第二版标题", 2)
    apply("portal.policy.publish", policy_body(revision=3, title="第三版标题"), version=2)
    assert "第三版标题" in client.get("/policies/zc-p-1/").content.decode()


def test_script_in_official_html_is_removed(portal, client):
    apply("portal.policy.publish", policy_body(body_html='<p onclick="x()">正文</p><script>alert(1)</script>'), version=2)
    html = client.get("/policies/zc-p-1/").content.decode()
    assert "alert(1)" not in html and "onclick" not in html and "正文" in html


def test_a_replacing_version_marks_the_old_one_amended_with_links_both_ways(portal, client):
    apply("portal.policy.publish", policy_body("OLD"), version=2)
    apply("portal.policy.publish", policy_body("NEW", title="修订后的实施意见", doc_number="宝市财办信〔2026〕1号",
                                               supersedes="OLD"), version=2)
    old = client.get("/policies/zc-old/").content.decode()
    assert "已修订" in old and "/policies/zc-new/" in old
    new = client.get("/policies/zc-new/").content.decode()
    assert "/policies/zc-old/" in new
    library = client.get("/policies/?validity=amended").content.decode()
    assert "/policies/zc-old/" in library and "/policies/zc-new/" not in library


def test_an_interpretation_is_linked_from_its_policy(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    apply("portal.policy.publish", policy_body("JD-1", title="政策解读：实施意见", doc_number="", interprets="P-1"),
          version=2)
    assert InterpretationPage.objects.get(record_id="JD-1").policy.record_id == "P-1"
    assert "/policies/jd-jd-1/" in client.get("/policies/zc-p-1/").content.decode()


def test_withdrawal_unpublishes(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    assert client.get("/policies/zc-p-1/").status_code == 200
    apply("portal.withdraw", {"document_id": "P-1", "reason": "已废止"})
    assert client.get("/policies/zc-p-1/").status_code == 404
    assert "/policies/zc-p-1/" not in client.get("/policies/").content.decode()
    assert "/policies/zc-p-1/" not in client.get("/").content.decode()


def test_official_records_are_read_only_in_the_admin_even_for_a_superuser(portal):
    apply("portal.policy.publish", policy_body(), version=2)
    admin = get_user_model().objects.create_superuser("root", password="Correct-Horse-42")
    perms = PolicyDocumentPage.objects.get(record_id="P-1").permissions_for_user(admin)
    assert not perms.can_edit() and not perms.can_delete() and not perms.can_unpublish() and not perms.can_move()
    assert not PolicyDocumentPage.is_creatable
    # The pages editors manage stay editable.
    assert ArticlePage.objects.get(slug="portal-launch").permissions_for_user(admin).can_edit() if \
        ArticlePage.objects.filter(slug="portal-launch").exists() else portal.permissions_for_user(admin).can_edit()


def test_the_admin_refuses_to_edit_an_official_record(portal, staff_superuser_client):
    apply("portal.policy.publish", policy_body(), version=2)
    page = PolicyDocumentPage.objects.get(record_id="P-1")
    response = staff_superuser_client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)


def test_news_and_tender_notices_go_to_their_sections(portal, client):
    base = {"revision": 1, "issuer": "市财政局", "body_html": "<p>内容</p>", "published_at": "2026-11-30T10:00:00+08:00",
            "disclosure": "public"}
    apply("portal.article.publish", {**base, "document_id": "N-1", "kind": "news", "title": "财政工作会议召开"})
    apply("portal.article.publish", {**base, "document_id": "T-1", "kind": "tender", "title": "办公设备采购招标公告"})
    assert "财政工作会议召开" in client.get("/news/").content.decode()
    notices = client.get("/notices/").content.decode()
    assert "办公设备采购招标公告" in notices and "招标公告" in notices
    assert ArticlePage.objects.get(record_id="T-1").get_parent().slug == "notices"


def _dataset(**extra):
    body = {"document_id": "D-1", "revision": 1, "title": "2026年市级一般公共预算支出", "kind": "budget",
            "fiscal_year": 2026, "issuer": "市财政局", "unit": "万元",
            "columns": [{"key": "c1", "label": "功能分类"}, {"key": "c2", "label": "预算数", "numeric": True}],
            "rows": [["教育支出", "356780.50"], ["<b>卫生</b>支出", "176530"]],
            "chart": {"type": "bar", "label_column": "c1", "value_columns": ["c2"]},
            "published_at": "2026-11-30T10:00:00+08:00", "disclosure": "public"}
    body.update(extra)
    return body


def test_a_dataset_renders_a_table_and_chart_data_without_inline_script(portal, client):
    apply("portal.dataset.publish", _dataset())
    html = client.get("/budget/yjs-d-1/").content.decode()
    assert '<th scope="col">功能分类</th>' in html and '<th scope="row">教育支出</th>' in html
    assert "356780.50" in html
    assert "&lt;b&gt;卫生&lt;/b&gt;" in html  # cell text is text, never markup
    assert 'type="application/json"' in html and "portal/charts.js" in html
    assert "<script>" not in html
    page = DatasetPage.objects.get(record_id="D-1")
    assert '"values": ["356780.50", "176530"]' in page.chart_json()
    assert "2026" in client.get("/budget/").content.decode()


def test_the_disclosure_index_lists_records_by_category_and_year(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    apply("portal.dataset.publish", _dataset())
    html = client.get("/disclosure/").content.decode()
    assert "/policies/zc-p-1/" in html and "/budget/yjs-d-1/" in html
    only_2009 = client.get("/disclosure/?year=2009").content.decode()
    assert "/policies/zc-p-1/" in only_2009 and "/budget/yjs-d-1/" not in only_2009
    datasets = client.get("/disclosure/?category=datasetpage").content.decode()
    assert "/budget/yjs-d-1/" in datasets and "/policies/zc-p-1/" not in datasets


def test_feeds_and_sitemap_list_policies(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    rss = client.get("/feeds/policies.rss")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "宝市财办信〔2009〕8号" in rss.content.decode()
    atom = client.get("/feeds/policies.atom")
    assert "http://www.w3.org/2005/Atom" in atom.content.decode()
    assert "/policies/zc-p-1/" in client.get("/sitemap.xml").content.decode()


def test_every_page_offers_page_feedback(portal, client):
    apply("portal.policy.publish", policy_body(), version=2)
    html = client.get("/policies/zc-p-1/").content.decode()
    assert "/consultation/feedback/?page=/policies/zc-p-1/" in html


def test_policy_attachments_become_downloadable_documents(portal, client, tmp_path):
    import hashlib

    from exchange.package import PayloadFile

    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 2000 + b"\n%%EOF\n"
    source = tmp_path / "package.bin"
    source.write_bytes(b"HEADER" + pdf)
    attachment = PayloadFile(path="items/000000/file-01", role="attachment", media_type="application/pdf",
                             size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), name="plan.pdf", source=source,
                             offset=6)
    apply("portal.policy.publish", policy_body(attachment_titles=["实施意见（PDF版）"]), version=2,
          attachments=[attachment])
    html = client.get("/policies/zc-p-1/").content.decode()
    assert "实施意见（PDF版）" in html
    url = PolicyDocumentPage.objects.get(record_id="P-1").attachments.get().document.url
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
