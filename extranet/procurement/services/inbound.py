"""Applying what the intranet publishes: tenders, amendments, answers, reviews, records.

Each handler runs inside the exchange's import transaction; raising refuses the whole package.
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from common.audit.services import record
from exchange import registry
from exchange.errors import PackageRejected
from exchange.gpg import GnuPG, GPGError, normalize_fingerprint
from extranet.procurement.models import (
    Amendment,
    Bid,
    Clarification,
    Notification,
    OcdsRelease,
    Participation,
    Question,
    Supplier,
    Tender,
    TenderDocument,
    private_storage,
)
from extranet.procurement.sealing import gnupg_home

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _dt(value):
    return parse_datetime(value) if value else None


def _check_key(public_key: str, fingerprint: str) -> None:
    try:
        keys = GnuPG(gnupg_home()).scan(public_key)
    except (GPGError, ValueError) as exc:
        raise PackageRejected("procurement", f"unreadable bid-opening key: {exc}") from None
    if len(keys) != 1 or normalize_fingerprint(keys[0]["fingerprint"]) != fingerprint:
        raise PackageRejected("procurement", "the bid-opening key does not match its fingerprint")


def _store_documents(ctx, tender: Tender, amendment: Amendment | None = None) -> None:
    titles = [d["title"] for d in ctx.body.get("documents", [])]
    for n, a in enumerate(ctx.attachments):
        title = titles[n] if n < len(titles) else (a.name or f"document-{n + 1}")
        name = _UNSAFE.sub("_", a.name or title)[:80]
        stored = private_storage().save(f"tenders/{tender.tender_id}/{a.sha256[:16]}-{name}",
                                        ContentFile(a.read_bytes()))
        TenderDocument.objects.create(tender=tender, amendment=amendment, title=title, file=stored,
                                      media_type=a.media_type, size=a.size, sha256=a.sha256)


def _notify(tender: Tender, subject: str, text: str, suppliers=None) -> int:
    """Tell the registered bidders (suppliers who obtained the documents or bid) of a change."""
    if suppliers is None:
        ids = set(Participation.objects.filter(tender=tender).values_list("supplier_id", flat=True))
        ids |= set(Bid.objects.filter(tender=tender).values_list("supplier_id", flat=True))
        suppliers = Supplier.objects.filter(pk__in=ids)
    emails = []
    count = 0
    for supplier in suppliers:
        Notification.objects.create(supplier=supplier, tender=tender, subject=subject[:300], text=text)
        emails += [c["email"] for c in supplier.contacts if c.get("email")]
        count += 1
    if emails:
        transaction.on_commit(lambda: send_mail(subject, text, None, emails, fail_silently=True))
    return count


def apply_tender(ctx) -> None:
    b = ctx.body
    fpr = b["bid_key"]["fingerprint"]
    _check_key(b["bid_key"]["public_key"], fpr)
    tender = Tender.objects.select_for_update().filter(tender_id=b["tender_id"]).first()
    if tender is not None and b["revision"] <= tender.revision:
        return  # an older or repeated notice
    if tender is not None and tender.key_fingerprint != fpr:
        raise PackageRejected("procurement", "a published tender's bid-opening key cannot change")
    fields = {
        "revision": b["revision"], "reference": b["reference"], "title": b["title"], "method": b["method"],
        "buyer": b["buyer"], "agency": b.get("agency", ""), "description": b.get("description", ""),
        "budget": Decimal(b["budget"]), "bid_security": Decimal(b["bid_security"]), "lots": b["lots"],
        "published_at": _dt(b["published_at"]), "clarification_deadline": _dt(b["clarification_deadline"]),
        "bid_deadline": _dt(b["bid_deadline"]), "opening_at": _dt(b["opening_at"]),
        "opening_place": b.get("opening_place", ""), "contact": b.get("contact", ""),
        "max_file_bytes": b.get("max_file_bytes", 0), "key_fingerprint": fpr, "public_key": b["bid_key"]["public_key"],
    }
    if tender is None:
        tender = Tender.objects.create(tender_id=b["tender_id"], **fields)
    else:
        for name, value in fields.items():
            setattr(tender, name, value)
        tender.save()
        tender.documents.filter(amendment__isnull=True).delete()
    _store_documents(ctx, tender)
    record("procurement.tender.received", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "revision": tender.revision, "documents": len(ctx.attachments)})


def _tender(body) -> Tender:
    tender = Tender.objects.select_for_update().filter(tender_id=body["tender_id"]).first()
    if tender is None:
        raise PackageRejected("procurement", f"unknown tender {body['tender_id']}")
    return tender


def apply_amendment(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    if Amendment.objects.filter(amendment_id=b["amendment_id"]).exists():
        return
    amendment = Amendment.objects.create(tender=tender, amendment_id=b["amendment_id"], number=b["number"],
                                         title=b["title"], description=b["description"],
                                         published_at=_dt(b["published_at"]))
    if b.get("bid_deadline"):
        tender.bid_deadline = _dt(b["bid_deadline"])
    if b.get("opening_at"):
        tender.opening_at = _dt(b["opening_at"])
    tender.save()
    _store_documents(ctx, tender, amendment)
    _notify(tender, _("Amendment to tender %(ref)s: %(title)s") % {"ref": tender.reference, "title": b["title"]},
            b["description"])
    record("procurement.tender.amended", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "amendment": b["amendment_id"]})


def apply_deadline_extended(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    new = _dt(b["bid_deadline"])
    tender.bid_deadline, tender.opening_at = new, _dt(b["opening_at"])
    if tender.closing_sent_at and tender.closing_sent_at < new:
        tender.closing_sent_at = None
    tender.save()
    local = new.astimezone()
    text = _("The bid deadline of tender %(ref)s “%(title)s” has been extended to %(when)s. %(reason)s") % {
        "ref": tender.reference, "title": tender.title, "when": local.strftime("%Y-%m-%d %H:%M:%S"),
        "reason": b.get("reason", "")}
    count = _notify(tender, _("Bid deadline extended: %(ref)s") % {"ref": tender.reference}, text)
    record("procurement.tender.deadline_extended", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "deadline": b["bid_deadline"], "notified": count})


def apply_answer(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    clarification, created = Clarification.objects.get_or_create(
        answer_id=b["answer_id"], defaults={"tender": tender, "question": b["question"], "answer": b["answer"],
                                            "published_at": _dt(b["published_at"])})
    if not created:
        return
    asked = Question.objects.filter(question_id__in=b["question_ids"], tender=tender)
    suppliers = {q.supplier for q in asked}
    asked.update(answer=clarification)
    _notify(tender, _("Clarification published for tender %(ref)s") % {"ref": tender.reference}, b["question"])
    record("procurement.clarification.received", clarification, actor_name="exchange",
           detail={"tender": tender.tender_id, "answers": len(b["question_ids"]), "askers": len(suppliers)})


def apply_review(ctx) -> None:
    b = ctx.body
    supplier = Supplier.objects.select_for_update().filter(supplier_id=b["supplier_id"],
                                                           registration_id=b["registration_id"]).first()
    if supplier is None:
        log.warning("review for an unknown registration %s", b["registration_id"])
        return
    supplier.status = Supplier.APPROVED if b["decision"] == "approved" else Supplier.REJECTED
    supplier.review_note, supplier.reviewed_at = b.get("note", ""), _dt(b["reviewed_at"])
    supplier.save(update_fields=["status", "review_note", "reviewed_at"])
    subject = (_("Your supplier registration was approved") if supplier.approved
               else _("Your supplier registration was not approved"))
    Notification.objects.create(supplier=supplier, subject=subject, text=supplier.review_note)
    record("procurement.supplier.reviewed", supplier, actor_name="exchange", detail={"decision": b["decision"]})


def apply_opening(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    tender.opening_record = b
    tender.save(update_fields=["opening_record"])
    for entry in b["bids"]:
        Bid.objects.filter(tender=tender, bid_id=entry["bid_id"]).update(outcome=entry["status"],
                                                                         anomalies=entry["anomalies"])
    _notify(tender, _("Bids opened for tender %(ref)s") % {"ref": tender.reference},
            _("The opening record has been published."))
    record("procurement.opening.received", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "bids": len(b["bids"])})


def apply_award(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    tender.award_notice = b
    tender.save(update_fields=["award_notice"])
    for entry in b.get("results", []):
        Bid.objects.filter(tender=tender, bid_id=entry["bid_id"]).update(outcome=entry["outcome"])
    _notify(tender, _("Award notice published for tender %(ref)s") % {"ref": tender.reference},
            ", ".join(a["supplier_name"] for a in b["awards"]))
    record("procurement.award.received", tender, actor_name="exchange", detail={"tender": tender.tender_id})


def apply_cancel(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    if tender.cancellation:
        return
    tender.cancellation = {k: b[k] for k in ("kind", "title", "reason", "published_at")}
    tender.save(update_fields=["cancellation"])
    count = _notify(tender, b["title"], b["reason"])
    record("procurement.tender.cancelled", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "kind": b["kind"], "notified": count})


def _json_attachment(attachment) -> dict:
    try:
        value = json.loads(attachment.read_bytes())
    except ValueError as exc:
        raise PackageRejected("procurement", f"OCDS data is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise PackageRejected("procurement", "OCDS data must be a JSON object")
    return value


def apply_ocds(ctx) -> None:
    b = ctx.body
    tender = _tender(b)
    if len(ctx.attachments) != 2:
        raise PackageRejected("procurement", "an OCDS release travels with its release and its record")
    release, compiled = (_json_attachment(a) for a in ctx.attachments)
    if release.get("id") != b["release_id"] or compiled.get("ocid") != b["ocid"]:
        raise PackageRejected("procurement", "the OCDS attachments do not match the message")
    OcdsRelease.objects.get_or_create(release_id=b["release_id"], defaults={"tender": tender, "release": release})
    tender.ocds_record = compiled
    tender.save(update_fields=["ocds_record"])


HANDLERS = {
    "procurement.tender.publish": apply_tender,
    "procurement.tender.amend": apply_amendment,
    "procurement.tender.deadline_extended": apply_deadline_extended,
    "procurement.clarification.answer": apply_answer,
    "procurement.supplier.review": apply_review,
    "procurement.opening.record": apply_opening,
    "procurement.award.notice": apply_award,
    "procurement.ocds.release": apply_ocds,
    "procurement.tender.cancel": apply_cancel,
}


def register_handlers() -> None:
    for name, handler in HANDLERS.items():
        registry.register(name, 1, apply=handler)
