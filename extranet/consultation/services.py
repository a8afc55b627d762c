"""Public submissions: store, queue for the intranet (same transaction), and follow up."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from common.audit.services import record
from exchange.services.outbox import enqueue
from extranet.consultation.models import PREFIX, Submission

MAX_TEXT = 5000
MAX_SUBJECT = 100


def _tracking_no(sub: Submission) -> str:
    return f"{PREFIX[sub.kind]}-{sub.created_at:%Y}-{sub.pk:06d}"


def _message(sub: Submission) -> dict:
    contact = {}
    if sub.name:
        contact["name"] = sub.name[:100]
    if sub.contact:
        key = "email" if "@" in sub.contact else "phone"
        contact[key] = sub.contact[:254 if key == "email" else 30]
    body = {
        "submission_id": sub.tracking_no, "kind": sub.kind, "subject": sub.subject, "text": sub.text,
        "submitted_at": sub.created_at.isoformat(timespec="seconds"), "contact": contact,
        "topic": sub.topic, "wants_public": sub.wants_public,
    }
    if sub.draft_id:
        body["regarding"] = sub.draft.record_id
        body["section"] = sub.section
    if sub.page_url:
        body["page_url"] = sub.page_url
    return body


@transaction.atomic
def submit(*, kind: str, subject: str, text: str, topic: str = "", name: str = "", contact: str = "",
           wants_public: bool = False, draft=None, section: str = "", page_url: str = "") -> tuple[Submission, str]:
    """Store a submission and put it in the exchange outbox in one transaction.

    Returns the submission and its access code (shown once; only a hash is kept). The sender is
    told "received" only after this commits, so what they saw acknowledged is never lost.
    """
    code = secrets.token_hex(4).upper()
    sub = Submission.objects.create(
        kind=kind, subject=subject.strip()[:MAX_SUBJECT], text=text.strip(), topic=topic, name=name.strip(),
        contact=contact.strip(), wants_public=wants_public, draft=draft, section=section, page_url=page_url[:500],
        access_code=make_password(code))
    sub.tracking_no = _tracking_no(sub)
    item = enqueue("to-intranet", "consultation.submission", 2, _message(sub), classification="public",
                   ref=sub.tracking_no)
    sub.outbox_item_id = item.pk
    sub.save(update_fields=["tracking_no", "outbox_item_id"])
    record("consultation.submit", sub, detail={"tracking_no": sub.tracking_no, "kind": kind},
           actor_name="public")
    return sub, code


def find(tracking_no: str) -> Submission | None:
    return Submission.objects.filter(tracking_no=(tracking_no or "").strip().upper()[:20]).first()


def may_read(sub: Submission, code: str) -> bool:
    return bool(code) and check_password(code.strip().upper(), sub.access_code)


def apply_status(submission_id: str, status: str, department: str = "", note: str = "", when=None) -> None:
    sub = find(submission_id)
    if sub is None:
        return
    order = ["submitted", "received", "assigned", "answered", "closed", "rejected"]
    if order.index(status) < order.index(sub.status) and status != "rejected":
        return  # an older status arriving late never moves a submission back
    sub.status = status
    if department:
        sub.department = department
    if note:
        sub.status_note = note
    if status == "received" and not sub.received_at:
        sub.received_at = when or timezone.now()
    sub.save()
