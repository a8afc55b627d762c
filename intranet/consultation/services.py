"""Handling public submissions: assign → reply → approve (the replier never approves) → the
reply travels to the portal. Every status change is sent too, for the public tracking page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from exchange.services.outbox import enqueue
from intranet.consultation.models import ANSWERED, ASSIGNED, CLOSED, NEW, REJECTED, REPLIED, Case

CHANNEL = "to-extranet"
AUDITED = ["status", "department_id", "reply_author_id", "reply_approver_id", "published"]


def _iso(dt) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds")


def send_status(case: Case, status: str, note: str = "") -> None:
    body = {"submission_id": case.tracking_no, "status": status, "updated_at": _iso(timezone.now())}
    if case.department_id:
        body["department"] = case.department.name
    if note:
        body["note"] = note[:1000]
    enqueue(CHANNEL, "consultation.status", 1, body, classification="public", ref=case.tracking_no)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _in_department(user, case) -> bool:
    return user.is_superuser or (case.department_id is not None and user.department_id == case.department_id)


@transaction.atomic
def assign(case: Case, user, department) -> Case:
    case = _lock(case)
    if not user.has_perm("consultation_desk.assign_case"):
        raise PermissionDenied(_("You may not assign submissions."))
    if case.status not in (NEW, ASSIGNED):
        raise ValidationError(_("Only a new or assigned submission can be (re)assigned."))
    before = snapshot(case, AUDITED)
    case.department, case.assigned_by, case.assigned_at, case.status = department, user, timezone.now(), ASSIGNED
    case.save()
    record("consultation.assign", case, before=before, after=snapshot(case, AUDITED), actor=user,
           detail={"department": department.code})
    send_status(case, "assigned")
    return case


@transaction.atomic
def write_reply(case: Case, user, text: str) -> Case:
    case = _lock(case)
    if not _in_department(user, case):
        raise PermissionDenied(_("Only the assigned department can answer."))
    if case.status not in (ASSIGNED, ANSWERED):
        raise ValidationError(_("This submission is not waiting for an answer."))
    if not text.strip():
        raise ValidationError(_("The reply is empty."))
    before = snapshot(case, AUDITED)
    case.reply, case.reply_author, case.status = text.strip(), user, ANSWERED
    case.save()
    record("consultation.reply_written", case, before=before, after=snapshot(case, AUDITED), actor=user)
    return case


def reply_html(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n") if p.strip())


@transaction.atomic
def approve_reply(case: Case, user, *, publish: bool) -> Case:
    case = _lock(case)
    if not user.has_perm("consultation_desk.approve_reply"):
        raise PermissionDenied(_("You may not approve replies."))
    if user.pk == case.reply_author_id:
        raise PermissionDenied(_("The author of a reply cannot approve it."))
    if case.status != ANSWERED:
        raise ValidationError(_("There is no reply waiting for approval."))
    before = snapshot(case, AUDITED)
    case.status, case.reply_approver, case.replied_at = REPLIED, user, timezone.now()
    case.published = bool(publish and case.wants_public and case.kind == "question")
    case.save()
    body = {"submission_id": case.tracking_no, "kind": case.kind, "subject": case.subject, "topic": case.topic,
            "department": case.department.name if case.department_id else "", "reply_html": reply_html(case.reply),
            "received_at": _iso(case.received_at), "replied_at": _iso(case.replied_at), "publish": case.published}
    if case.published:
        body["question_text"] = case.text
    item = enqueue(CHANNEL, "consultation.reply", 1, body, classification="public", ref=case.tracking_no, actor=user)
    record("consultation.reply_approved", case, before=before, after=snapshot(case, AUDITED), actor=user,
           detail={"outbox_item": item.pk, "published": case.published})
    return case


@transaction.atomic
def return_reply(case: Case, user, note: str) -> Case:
    case = _lock(case)
    if not user.has_perm("consultation_desk.approve_reply") or user.pk == case.reply_author_id:
        raise PermissionDenied(_("You may not return this reply."))
    if case.status != ANSWERED:
        raise ValidationError(_("There is no reply waiting for approval."))
    before = snapshot(case, AUDITED)
    case.status, case.note = ASSIGNED, note
    case.save()
    record("consultation.reply_returned", case, before=before, after=snapshot(case, AUDITED), actor=user,
           detail={"note": note})
    return case


@transaction.atomic
def close(case: Case, user, *, reject: bool = False, note: str = "") -> Case:
    """Close without a reply (a comment taken into account) or refuse (abuse, spam)."""
    case = _lock(case)
    if not (user.has_perm("consultation_desk.assign_case") or _in_department(user, case)):
        raise PermissionDenied(_("You may not close this submission."))
    if not case.is_open:
        raise ValidationError(_("This submission is already closed."))
    before = snapshot(case, AUDITED)
    case.status, case.note = (REJECTED if reject else CLOSED), note
    case.save()
    record("consultation.close", case, before=before, after=snapshot(case, AUDITED), actor=user,
           detail={"reject": reject, "note": note})
    send_status(case, "rejected" if reject else "closed", note if reject else "")
    return case
