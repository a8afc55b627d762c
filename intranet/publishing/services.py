"""The publishing workflow: draft → review (审核) → approval (签发) → queued for the extranet.

The author never reviews or approves their own publication, and the approver is not the reviewer.
Every step is audited in the same transaction; approval queues the exchange message in that
transaction too, so an approved publication is never lost on the way to the portal.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from exchange.services.outbox import Attachment, enqueue
from intranet.publishing import messages
from intranet.publishing.models import (
    DRAFT,
    PUBLISHED,
    REJECTED,
    REVIEWED,
    SUBMITTED,
    WITHDRAWN,
    Publication,
    PublicationEvent,
)

CHANNEL = "to-extranet"
AUDITED = ["status", "revision", "title", "doc_number", "kind", "disclosure"]


def new_document_id() -> str:
    last = Publication.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"PUB-{timezone.localdate():%Y}-{last + 1:06d}"


def _lock(pub: Publication) -> Publication:
    return Publication.objects.select_for_update().get(pk=pub.pk)


def _event(pub, action, user, note=""):
    PublicationEvent.objects.create(publication=pub, action=action, actor=user, note=note)


def _save(pub, before, action, user, note="", **detail):
    pub.save()
    _event(pub, action, user, note)
    record(f"publishing.{action}", pub, before=before, after=snapshot(pub, AUDITED), actor=user,
           detail={"document_id": pub.document_id, "note": note, **detail})


@transaction.atomic
def create(user, **fields) -> Publication:
    pub = Publication(author=user, **fields)
    pub.document_id = fields.get("document_id") or new_document_id()
    pub.save()
    _event(pub, "create", user)
    record("publishing.create", pub, after=snapshot(pub, AUDITED), actor=user, detail={"document_id": pub.document_id})
    return pub


def check_ready(pub: Publication) -> None:
    """What must be filled before a publication goes to review."""
    problems = []
    if pub.kind in ("policy", "interpretation", "news", "notice", "tender", "award", "draft") and not pub.body.strip():
        problems.append(_("The text is empty."))
    if pub.kind == "policy" and not pub.written_on:
        problems.append(_("A policy needs its date written."))
    if pub.kind == "interpretation" and not pub.interprets_id:
        problems.append(_("An interpretation must name the policy it interprets."))
    if pub.kind == "draft" and not (pub.opens_on and pub.closes_on and pub.opens_on <= pub.closes_on):
        problems.append(_("A draft for comment needs an opening date on or before its closing date."))
    if pub.kind == "dataset" and not (pub.dataset.get("columns") and pub.fiscal_year and pub.dataset_kind):
        problems.append(_("A dataset needs its kind, fiscal year and a table (upload a spreadsheet)."))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def submit(pub: Publication, user) -> Publication:
    pub = _lock(pub)
    if pub.author_id != user.pk:
        raise PermissionDenied(_("Only the author can submit a publication for review."))
    if pub.status not in (DRAFT, REJECTED):
        raise ValidationError(_("Only a draft or a returned publication can be submitted."))
    check_ready(pub)
    before = snapshot(pub, AUDITED)
    pub.status, pub.submitted_at, pub.reviewer, pub.approver = SUBMITTED, timezone.now(), None, None
    _save(pub, before, "submit", user)
    return pub


@transaction.atomic
def review(pub: Publication, user, *, accept: bool, note: str = "") -> Publication:
    """First step (审核)."""
    pub = _lock(pub)
    if not user.has_perm("publishing.review_publication"):
        raise PermissionDenied(_("You may not review publications."))
    if pub.author_id == user.pk:
        raise PermissionDenied(_("The author cannot review their own publication."))
    if pub.status != SUBMITTED:
        raise ValidationError(_("This publication is not waiting for review."))
    before = snapshot(pub, AUDITED)
    if accept:
        pub.status, pub.reviewer, pub.reviewed_at = REVIEWED, user, timezone.now()
    else:
        pub.status = REJECTED
    pub.last_note = note
    _save(pub, before, "review" if accept else "return", user, note)
    return pub


@transaction.atomic
def approve(pub: Publication, user, *, accept: bool = True, note: str = "") -> Publication:
    """Second step (签发): on approval the publication is queued for the extranet."""
    pub = _lock(pub)
    if not user.has_perm("publishing.approve_publication"):
        raise PermissionDenied(_("You may not approve publications."))
    if user.pk in (pub.author_id, pub.reviewer_id):
        raise PermissionDenied(_("The author and the reviewer cannot also approve the publication."))
    if pub.status != REVIEWED:
        raise ValidationError(_("This publication is not waiting for approval."))
    before = snapshot(pub, AUDITED)
    pub.last_note = note
    if not accept:
        pub.status = REJECTED
        _save(pub, before, "return", user, note)
        return pub
    if pub.disclosure != "public":
        raise ValidationError(_("Only publications marked public can be sent to the portal."))
    pub.status, pub.approver, pub.approved_at = PUBLISHED, user, timezone.now()
    pub.revision += 1
    item = _queue(pub, user)
    _save(pub, before, "approve", user, note, outbox_item=item.pk, revision=pub.revision)
    return pub


def _queue(pub: Publication, user):
    message_type, version, body = messages.build(pub)
    attachments = [Attachment(name=_filename(a), path=a.document.file.path) for a in pub.attachments.all()]
    return enqueue(CHANNEL, message_type, version, body, classification="public", attachments=attachments,
                   ref=pub.document_id, actor=user)


def _filename(attachment) -> str:
    name = attachment.document.file.name.rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\-]+", "_", name)[:200]


@transaction.atomic
def withdraw(pub: Publication, user, *, reason: str) -> Publication:
    pub = _lock(pub)
    if not user.has_perm("publishing.approve_publication"):
        raise PermissionDenied(_("You may not withdraw publications."))
    if pub.status != PUBLISHED:
        raise ValidationError(_("Only a published publication can be withdrawn."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the withdrawal."))
    before = snapshot(pub, AUDITED)
    pub.status, pub.withdrawn_at, pub.last_note = WITHDRAWN, timezone.now(), reason
    item = enqueue(CHANNEL, "portal.withdraw", 1, {"document_id": pub.document_id, "reason": reason[:1000],
                                                    "withdrawn_at": pub.withdrawn_at.isoformat(timespec="seconds")},
                   classification="public", ref=pub.document_id, actor=user)
    _save(pub, before, "withdraw", user, reason, outbox_item=item.pk)
    return pub


@transaction.atomic
def send_feedback_summary(pub: Publication, user, *, summary_html: str, adopted_html: str, comment_count: int):
    """After a consultation closes: publish the summary of the feedback and the adopted changes."""
    pub = _lock(pub)
    if not user.has_perm("publishing.approve_publication"):
        raise PermissionDenied(_("You may not publish feedback summaries."))
    if pub.kind != "draft" or pub.status != PUBLISHED:
        raise ValidationError(_("Only a published draft for comment has a feedback summary."))
    if pub.closes_on and timezone.localdate() <= pub.closes_on:
        raise ValidationError(_("The consultation is still open."))
    if not summary_html.strip():
        raise ValidationError(_("The summary is empty."))
    before = snapshot(pub, AUDITED)
    pub.feedback_summary, pub.adopted_changes, pub.summary_sent_at = summary_html, adopted_html, timezone.now()
    body = {"document_id": pub.document_id, "summary_html": summary_html, "adopted_html": adopted_html,
            "comment_count": comment_count, "published_at": pub.summary_sent_at.isoformat(timespec="seconds")}
    item = enqueue(CHANNEL, "consultation.draft.summary", 1, body, classification="public", ref=pub.document_id,
                   actor=user)
    _save(pub, before, "summary", user, outbox_item=item.pk, comments=comment_count)
    return pub
