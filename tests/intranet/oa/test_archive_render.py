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


# ----------------------------------------------------------------------------- GB/T 9704 pages
LINE = "财政信息化建设是财政管理的根本性变革，必须统筹规划、分步实施。" * 2


def _pages(pdf: bytes, tmp_path) -> list[dict]:
    """Per page of the PDF (poppler's pdftotext): its text and the page number printed at its foot
    with the side it stands on."""
    import html
    import subprocess

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for head, body in re.findall(r"<page ([^>]*)>(.*?)</page>", out, re.S):
        width, height = (float(re.search(rf'{k}="([\d.]+)"', head).group(1)) for k in ("width", "height"))
        words = [(html.unescape(t), float(x), float(y))
                 for x, y, t in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', body)]
        foot = [(t, x) for t, x, y in words if y > height * 0.88]  # below the type area
        number = "".join(t for t, _x in foot)
        side = ("right" if min(x for _t, x in foot) > width / 2 else "left") if foot else None
        pages.append({"text": "".join(t for t, _x, _y in words), "number": number, "side": side})
    assert len(pages) == count
    return pages


def _unsaved(lines: int):
    from datetime import date

    from intranet.oa.models import Document

    return Document(pk=1, kind="out", title="关于版记位置的通知", main_recipients="局属各单位", body="\n".join([LINE] * lines),
                    issuing_agency="宝鸡市财政局文件", agency_code="宝市财办", year=2026, number=3,
                    signature_agency="宝鸡市财政局", written_date=date(2026, 11, 30), cc="市审计局",
                    printing_agency="宝鸡市财政局办公室", printed_date=date(2026, 11, 30))


@pytest.mark.parametrize("lines", [1, 8, 10])
def test_the_banji_closes_an_even_last_page(lines, tmp_path):
    from intranet.oa.services import render

    doc = _unsaved(lines)
    placement = render.banji_placement(render._layout(doc))
    pdf, count = render.render_pages(doc)
    pages = _pages(pdf, tmp_path)
    assert count == len(pages) and count % 2 == 0, "double-sided printing: the last page is even"
    last = pages[-1]
    assert "抄送：市审计局。" in last["text"] and "2026年11月30日印发" in last["text"]
    assert all("印发" not in p["text"] and "抄送" not in p["text"] for p in pages[:-1])
    if placement == "after-blank":
        # The body filled an even page: a blank page comes in between; neither it nor the 版记
        # page is numbered.
        assert pages[-2]["text"] == "" and last["number"] == ""
        numbered = pages[:-2]
    else:
        numbered = pages
    for n, page in enumerate(numbered, start=1):
        assert page["number"] == f"—{n}—", (n, page["number"])
        assert page["side"] == ("right" if n % 2 else "left"), (n, page["side"])
    # The three lengths cover the three cases: body ends on page 1, fills page 2, ends on page 3.
    assert placement == {1: "next-even", 8: "after-blank", 10: "next-even"}[lines]
    assert count == {1: 2, 8: 4, 10: 4}[lines]
