"""The issued document as a PDF in the GB/T 9704-2012 layout (WeasyPrint, Debian CJK fonts).

Fonts: the standard asks for 仿宋 (body), 小标宋 (header and title), 黑体 and 楷体. The stylesheet
names them first; where they are not installed (the Debian servers have fonts-noto-cjk only)
fontconfig falls back to Noto Serif CJK SC for the body, Noto Serif CJK SC Bold for the red header
and the title, and Noto Sans CJK SC for 黑体 headings.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from intranet.oa.elements import SECRECY_MARK, URGENCY_MARK, Direction

CSS_PATH = Path(__file__).resolve().parent.parent / "static" / "oa" / "gbt9704.css"
# WeasyPrint reports every layout step at INFO; only its warnings belong in the service logs.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
H1 = re.compile(r"^[一二三四五六七八九十]+、")
H2 = re.compile(r"^（[一二三四五六七八九十]+）")


def cn_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def paragraphs(body: str) -> list[dict]:
    out = []
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        cls = "h1" if H1.match(text) else "h2" if H2.match(text) else ""
        out.append({"text": text, "cls": cls})
    return out


def context(doc) -> dict:
    secrecy = SECRECY_MARK.get(doc.secrecy, "")
    if secrecy and doc.secrecy_period:
        secrecy = f"{secrecy}★{doc.secrecy_period}"
    return {
        "doc": doc,
        "secrecy_mark": secrecy,
        "urgency_mark": URGENCY_MARK.get(doc.urgency, ""),
        "upward": doc.direction == Direction.UPWARD,
        "paragraphs": paragraphs(doc.body),
        "attachments": doc.attachment_lines(),
        "written_date": cn_date(doc.written_date),
        "printed_date": cn_date(doc.printed_date),
    }


def render_html(doc, banji_page: str = "") -> str:
    """The document as HTML; ``banji_page`` moves the 版记 to the next even page ("next-even",
    or "after-blank" when a blank page comes first and neither page is numbered)."""
    return render_to_string("oa/pdf/document.html", {**context(doc), "banji_page": banji_page})


def _layout(doc, banji_page: str = ""):
    from weasyprint import CSS, HTML

    return HTML(string=render_html(doc, banji_page)).render(stylesheets=[CSS(filename=str(CSS_PATH))])


def _page_of(rendered, anchor: str) -> int:
    return next((n for n, page in enumerate(rendered.pages, start=1) if anchor in page.anchors), 0)


def banji_placement(rendered) -> str:
    """Where the 版记 must go, judged on a layout with the 版记 right under the body: "" (it is
    on an even last page already), "next-even" or "after-blank"."""
    pages = len(rendered.pages)
    body_end = _page_of(rendered, "body-end") or pages
    if body_end == pages and pages % 2 == 0:
        return ""
    # The 版记 did not fit under a body ending on an even page: a blank page, then the 版记.
    return "after-blank" if body_end % 2 == 0 else "next-even"


def render_pages(doc) -> tuple[bytes, int]:
    """The PDF and its number of pages (always even: the 版记 closes the last, even page)."""
    rendered = _layout(doc)
    placement = banji_placement(rendered)
    if placement:
        rendered = _layout(doc, placement)
    return rendered.write_pdf(), len(rendered.pages)


def render_pdf(doc) -> bytes:
    return render_pages(doc)[0]


def store_pdf(doc) -> str:
    """Render, store and fingerprint the issued PDF (the caller saves the document)."""
    data = render_pdf(doc)
    digest = hashlib.sha256(data).hexdigest()
    name = f"document-{doc.pk}-{doc.year or 0}-{doc.number or 0}.pdf"
    doc.pdf.save(name, ContentFile(data), save=False)
    doc.pdf_sha256 = digest
    return digest


def verify_pdf(doc) -> bool:
    """The stored PDF is still the one that was issued."""
    if not doc.pdf:
        return False
    with doc.pdf.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest() == doc.pdf_sha256
