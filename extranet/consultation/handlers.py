"""Apply handlers for consultation messages arriving from the intranet."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from common.audit.services import record
from exchange import registry
from exchange.sanitize import clean_html
from extranet.consultation import services
from extranet.portal import cache, tree
from extranet.portal.models.base import plain_text
from extranet.portal.records import publish_record, slug_for


def apply_status(ctx: registry.ApplyContext) -> None:
    b = ctx.body
    services.apply_status(b["submission_id"], b["status"], b.get("department", ""), b.get("note", ""),
                          parse_datetime(b["updated_at"]))


def apply_reply(ctx: registry.ApplyContext) -> None:
    from extranet.consultation.models import InteractionIndexPage, QAReplyPage

    b = ctx.body
    html = clean_html(b["reply_html"])
    replied = parse_datetime(b["replied_at"])
    sub = services.find(b["submission_id"])
    if sub is not None:
        sub.reply_html, sub.replied_at, sub.status = html, replied, "answered"
        sub.department = b.get("department", "") or sub.department
        sub.received_at = sub.received_at or parse_datetime(b["received_at"])
        sub.reply_public = bool(b["publish"] and sub.wants_public)
        sub.save()
    # Published only when the bureau approved publication and the asker agreed.
    if b["publish"] and b["kind"] == "question" and (sub is None or sub.wants_public):
        question = b.get("question_text") or (sub.text if sub else "")
        fields = {"title": b.get("subject") or b["submission_id"], "topic": b.get("topic", ""),
                  "question": question, "reply_html": html, "department": b.get("department", ""),
                  "issuer": b.get("department", ""), "received_at_public": parse_datetime(b["received_at"]),
                  "replied_at": replied, "year": replied.year, "doc_number": b["submission_id"],
                  "body_text": f"{question} {plain_text(html)}"}
        ctx_body = {"document_id": b["submission_id"], "revision": 1}
        shim = registry.ApplyContext(**{**ctx.__dict__, "body": ctx_body})
        publish_record(QAReplyPage, tree.section(InteractionIndexPage._meta.label), shim, fields, "wd")
    record("consultation.reply.received", sub, detail={"submission": b["submission_id"], "publish": b["publish"]},
           actor_name="exchange")
    cache.bump()


def apply_draft(ctx: registry.ApplyContext) -> None:
    from extranet.consultation.models import DraftIndexPage, DraftPage

    b = ctx.body
    sections = [{"key": s["key"], "heading": s["heading"], "html": clean_html(s["html"])} for s in b["sections"]]
    opens = parse_date(b["opens_on"])
    publish_record(DraftPage, tree.section(DraftIndexPage._meta.label), ctx, {
        "title": b["title"], "issuer": b["issuer"], "summary": b.get("summary", ""), "opens_on": opens,
        "closes_on": parse_date(b["closes_on"]), "sections": sections, "year": opens.year,
        "body_text": " ".join(plain_text(s["html"]) for s in sections)}, "zqyj")


def apply_draft_summary(ctx: registry.ApplyContext) -> None:
    from extranet.consultation.models import DraftPage

    b = ctx.body
    page = DraftPage.objects.filter(record_id=b["document_id"]).first()
    if page is None:
        raise ValueError(f"summary for unknown draft {b['document_id']}")
    page.feedback_summary_html = clean_html(b["summary_html"])
    page.adopted_html = clean_html(b.get("adopted_html", ""))
    page.comment_count = b["comment_count"]
    page.summary_published_at = parse_datetime(b["published_at"]) or timezone.now()
    page.save_revision().publish()
    record("consultation.draft.summary", page, detail={"record_id": b["document_id"]}, actor_name="exchange")
    cache.bump()


def register() -> None:
    import exchange.messages  # noqa: F401  (the schemas, whatever the app order)

    registry.register("consultation.status", 1, apply=apply_status)
    registry.register("consultation.reply", 1, apply=apply_reply)
    registry.register("consultation.draft.publish", 1, apply=apply_draft)
    registry.register("consultation.draft.summary", 1, apply=apply_draft_summary)


__all__ = ["register", "slug_for"]
