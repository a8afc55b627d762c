"""Exchange messages for the portal, built from a publication (schemas in exchange.messages)."""

from __future__ import annotations

import re

from django.utils import timezone
from wagtail.rich_text import expand_db_html

from exchange.sanitize import clean_html


def _html(pub) -> str:
    return clean_html(expand_db_html(pub.body or ""))


def _published(pub) -> str:
    return (pub.approved_at or timezone.now()).isoformat(timespec="seconds")


def _titles(pub) -> list[str]:
    return [a.title[:255] for a in pub.attachments.all()]


def build(pub) -> tuple[str, int, dict]:
    builder = {"policy": _policy, "interpretation": _policy, "dataset": _dataset, "draft": _draft}.get(pub.kind, _article)
    return builder(pub)


def _policy(pub):
    body = {
        "document_id": pub.document_id, "revision": pub.revision, "title": pub.title, "doc_number": pub.doc_number,
        "issuer": pub.issuer, "issued_on": (pub.written_on or timezone.localdate()).isoformat(),
        "validity": pub.validity, "category": pub.topic[:100], "summary": pub.summary[:4000], "body_html": _html(pub),
        "interprets": pub.interprets.document_id if pub.interprets_id else None,
        "attachment_titles": _titles(pub), "disclosure": "public", "published_at": _published(pub),
        "document_type": pub.document_type, "topic": pub.topic,
        "supersedes": pub.supersedes.document_id if pub.supersedes_id else None,
    }
    return "portal.policy.publish", 2, body


def _article(pub):
    body = {"document_id": pub.document_id, "revision": pub.revision, "kind": pub.kind, "title": pub.title,
            "doc_number": pub.doc_number, "issuer": pub.issuer, "summary": pub.summary[:4000], "body_html": _html(pub),
            "attachment_titles": _titles(pub), "published_at": _published(pub), "disclosure": "public"}
    return "portal.article.publish", 1, body


def _dataset(pub):
    data = pub.dataset or {}
    columns = data.get("columns", [])
    numeric = [c["key"] for c in columns if c.get("numeric")]
    body = {"document_id": pub.document_id, "revision": pub.revision, "title": pub.title,
            "kind": pub.dataset_kind or "budget", "fiscal_year": pub.fiscal_year, "issuer": pub.issuer,
            "unit": pub.unit, "description": pub.summary[:4000], "columns": columns, "rows": data.get("rows", []),
            "chart": {"type": pub.chart_type or "bar", "label_column": columns[0]["key"] if columns else "",
                      "value_columns": numeric[:1]},
            "published_at": _published(pub), "disclosure": "public"}
    return "portal.dataset.publish", 1, body


def sections(html: str) -> list[dict]:
    """Split a draft at its h2/h3 headings into sections the public can comment on one by one."""
    parts = re.split(r"(<h[23][^>]*>.*?</h[23]>)", html, flags=re.S)
    out, heading, buf = [], "", []

    def flush():
        content = "".join(buf).strip()
        if content or heading:
            out.append({"key": f"s{len(out) + 1}", "heading": heading[:200], "html": content})

    for part in parts:
        m = re.match(r"<h[23][^>]*>(.*?)</h[23]>", part, flags=re.S)
        if m:
            flush()
            heading, buf = re.sub(r"<[^>]+>", "", m.group(1)).strip(), []
        else:
            buf.append(part)
    flush()
    return out or [{"key": "s1", "heading": "", "html": html}]


def _draft(pub):
    body = {"document_id": pub.document_id, "revision": pub.revision, "title": pub.title, "issuer": pub.issuer,
            "summary": pub.summary[:4000], "opens_on": pub.opens_on.isoformat(), "closes_on": pub.closes_on.isoformat(),
            "sections": sections(_html(pub)), "published_at": _published(pub), "disclosure": "public"}
    return "consultation.draft.publish", 1, body
