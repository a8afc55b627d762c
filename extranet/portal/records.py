"""Official records from the exchange: create, update and withdraw portal pages.

The handlers run inside the import transaction (see ``exchange.registry``): a failure rolls
back the whole package. A revision that is not newer than what is live is skipped, so
re-delivery never goes backwards.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.documents import get_document_model
from wagtail.models import Collection

from common.audit.services import record
from exchange import registry
from exchange.sanitize import clean_html
from extranet.portal import cache, tree
from extranet.portal.models.base import plain_text

log = logging.getLogger(__name__)


def slug_for(prefix: str, record_id: str) -> str:
    return f"{prefix}-" + re.sub(r"[^a-z0-9-]+", "-", record_id.lower()).strip("-")[:60]


def _find(model, record_id: str):
    return model.objects.filter(record_id=record_id).first()


def _when(value: str | None):
    return parse_datetime(value) if value else timezone.now()


def publish_record(model, parent, ctx, fields: dict, slug_prefix: str):
    """Create or update the page for ``ctx.body['document_id']`` and publish it."""
    body = ctx.body
    record_id = body["document_id"]
    revision = int(body.get("revision", 1))
    page = _find(model, record_id)
    if page is not None and page.revision >= revision and page.live:
        log.info("portal: %s revision %s is not newer than %s; skipped", record_id, revision, page.revision)
        return page
    fields = {**fields, "record_id": record_id, "revision": revision, "received_at": timezone.now()}
    created = page is None
    if created:
        page = model(slug=slug_for(slug_prefix, record_id), **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.save_revision().publish()
    record("portal.record.publish", page, detail={"record_id": record_id, "revision": revision,
                                                  "type": ctx.message_type, "package": ctx.package_uuid,
                                                  "created": created}, actor_name="exchange")
    cache.bump()
    return page


def _attachments(ctx, page) -> None:
    from extranet.portal.models import PolicyAttachment

    if not ctx.attachments:
        return
    Document = get_document_model()
    collection = Collection.get_first_root_node()
    titles = ctx.body.get("attachment_titles") or []
    page.attachments.all().delete()
    for n, a in enumerate(ctx.attachments):
        title = (titles[n] if n < len(titles) else "") or a.name or f"附件{n + 1}"
        doc = Document(title=title[:255], collection=collection)
        doc.file.save(a.name or f"attachment-{n + 1}", ContentFile(a.read_bytes()), save=False)
        doc.save()
        PolicyAttachment.objects.create(page=page, document=doc, title=title[:255], sort_order=n)


def apply_policy(ctx: registry.ApplyContext) -> None:
    from extranet.portal.models import InterpretationPage, PolicyDocumentPage, PolicyIndexPage

    b = ctx.body
    html = clean_html(b["body_html"])
    issued: date | None = parse_date(b["issued_on"])
    parent = tree.section(PolicyIndexPage._meta.label)
    common = {"title": b["title"], "doc_number": b.get("doc_number", ""), "issuer": b["issuer"],
              "year": issued.year if issued else None, "body_text": plain_text(html), "summary": b.get("summary", ""),
              "body_html": html, "published_on": _when(b.get("published_at"))}
    if b.get("interprets"):
        policy = _find(PolicyDocumentPage, b["interprets"])
        publish_record(InterpretationPage, parent, ctx, {**common, "policy": policy}, "jd")
        return
    supersedes = _find(PolicyDocumentPage, b["supersedes"]) if b.get("supersedes") else None
    page = publish_record(PolicyDocumentPage, parent, ctx, {
        **common, "document_type": b.get("document_type", ""), "topic": b.get("topic") or b.get("category", ""),
        "written_on": issued, "validity": b.get("validity", "valid"),
        "effective_from": parse_date(b["effective_from"]) if b.get("effective_from") else None,
        "effective_until": parse_date(b["effective_until"]) if b.get("effective_until") else None,
        "keywords": " ".join(b.get("keywords", []))[:500], "supersedes": supersedes,
    }, "zc")
    _attachments(ctx, page)
    if supersedes is not None and supersedes.validity == "valid":
        # The replaced version now shows that it was amended, with a link to this one.
        supersedes.validity = "amended"
        supersedes.save_revision().publish()


def apply_article(ctx: registry.ApplyContext) -> None:
    from extranet.portal.models import ArticlePage

    b = ctx.body
    html = clean_html(b["body_html"])
    slug = "news" if b["kind"] == "news" else "notices"
    parent = tree.section_by_slug(slug)
    when = _when(b.get("published_at"))
    publish_record(ArticlePage, parent, ctx, {
        "title": b["title"], "kind": b["kind"], "doc_number": b.get("doc_number", ""), "issuer": b["issuer"],
        "date": when, "year": when.year, "summary": b.get("summary", ""), "body_html": html,
        "body_text": plain_text(html)}, b["kind"])


def apply_dataset(ctx: registry.ApplyContext) -> None:
    from extranet.portal.models import DatasetPage, DisclosureIndexPage

    b = ctx.body
    width = len(b["columns"])
    rows = [list(r[:width]) + [None] * (width - len(r)) for r in b["rows"]]
    text = " ".join(str(c) for r in rows for c in r[:1] if c)
    publish_record(DatasetPage, tree.section(DisclosureIndexPage._meta.label), ctx, {
        "title": b["title"], "kind": b["kind"], "fiscal_year": b["fiscal_year"], "year": b["fiscal_year"],
        "issuer": b["issuer"], "unit": b.get("unit", ""), "description": b.get("description", ""),
        "columns": b["columns"], "rows": rows, "chart": b.get("chart") or {}, "published_on": _when(b.get("published_at")),
        "body_text": f"{b.get('description', '')} {text}".strip()}, "yjs")


def apply_withdraw(ctx: registry.ApplyContext) -> None:
    """A withdrawal unpublishes whichever record carries that id (any record type)."""
    from extranet.portal.models.disclosure import official_models

    record_id = ctx.body["document_id"]
    for model in official_models():
        page = _find(model, record_id)
        if page is None:
            continue
        if page.live:
            page.unpublish(log_action=True)
        record("portal.record.withdraw", page, detail={"record_id": record_id, "reason": ctx.body.get("reason", ""),
                                                       "package": ctx.package_uuid}, actor_name="exchange")
        cache.bump()
        return
    log.warning("portal: withdrawal of unknown record %s", record_id)


def register() -> None:
    import exchange.messages  # noqa: F401  (the schemas, whatever the app order)

    registry.register("portal.policy.publish", 1, apply=apply_policy)
    registry.register("portal.policy.publish", 2, apply=apply_policy)
    registry.register("portal.article.publish", 1, apply=apply_article)
    registry.register("portal.dataset.publish", 1, apply=apply_dataset)
    registry.register("portal.withdraw", 1, apply=apply_withdraw)
