"""Rendering (GB/T 9704 PDF) and the archive: catalogue, read-only, a year's signed export."""

import re
import zlib

import pytest

from exchange.errors import PackageRejected
from intranet.oa.services import archive
from intranet.oa.services.render import render_html, render_pages, verify_pdf
from intranet.oa.workflow import transition

pytestmark = pytest.mark.django_db


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams expanded (font names sit in compressed object streams)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"".join(out)


def test_the_pdf_has_the_gbt9704_elements_and_page_numbers(bureau, issued):
    doc = issued(secrecy="secret", secrecy_period="1年", copy_number="000012", urgency="urgent", cc="市审计局",
                 attachment_notes="预算表\n说明", note="此件不公开")
    html = render_html(doc)
    for text in ("000012", "秘密★1年", "加急", "宝鸡市财政局文件", doc.doc_number, "局属各单位：", "附件：1. 预算表",
                 "抄送：市审计局。", "宝鸡市财政局办公室", "印发", "（此件不公开）"):
        assert text in html, text
    pdf = doc.pdf.open("rb").read()
    assert pdf.startswith(b"%PDF") and b"Noto" in inflated(pdf)  # the Debian CJK fonts are embedded
    assert verify_pdf(doc)


def test_an_upward_document_shows_its_signer_in_the_header(bureau, draft):
    doc = draft(doc_type="request", main_recipients="省财政厅", direction="up")
    doc.signer_name = "刘洋"
    assert "签发人：" in render_html(doc) and "刘洋" in render_html(doc)


def test_a_long_document_runs_over_several_numbered_pages(bureau, draft):
    doc = draft(body="\n".join(["财政信息化建设是财政管理的根本性变革，必须统筹规划、分步实施。" * 4] * 40))
    assert render_pages(doc)[1] >= 4


def test_a_changed_pdf_is_detected(bureau, issued):
    doc = issued()
    with open(doc.pdf.path, "ab") as fh:
        fh.write(b"%tampered")
    assert not verify_pdf(doc)


def test_catalogue_by_year_and_category_and_signed_export(bureau, issued, xenv, tmp_path):
    docs = [issued() for _ in range(2)]
    for doc, category in zip(docs, ("budget", "treasury"), strict=True):
        transition(doc, "archive", bureau.zhangwei, retention="permanent", category=category)
    year = docs[0].year
    assert archive.catalogue(year).count() == 2 and archive.catalogue(year, "budget").count() == 1
    path = archive.export_year(year, tmp_path, bureau.zhangwei)
    vp = archive.verify_export(path)
    assert len(vp.items) == 2
    assert {i.body["archive_code"] for i in vp.items} == {d.archive_code for d in archive.catalogue(year)}
    assert vp.items[0].body["history"][0]["action"] == "draft"
    data = bytearray(path.read_bytes())
    data[-2000] ^= 1  # one changed bit in a payload file
    path.write_bytes(bytes(data))
    with pytest.raises(PackageRejected):
        archive.verify_export(path)


def test_an_empty_year_is_not_exported(bureau, xenv, tmp_path):
    with pytest.raises(ValueError):
        archive.export_year(1999, tmp_path)
