"""Creating and changing documents and their files."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from common.uploads import validate_upload
from intranet.oa import workflow
from intranet.oa.elements import default_direction
from intranet.oa.models import SUBSTANTIVE_FIELDS, Attachment, Document, DocumentEvent
from intranet.oa.workflow import TransitionRefused

# Files accepted as attachments of a document, judged by content.
ATTACHMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "image/jpeg",
    "text/plain",
}
EDITABLE_FIELDS = (*SUBSTANTIVE_FIELDS, "copy_number", "agency_code", "printing_agency")
DEFAULTS = {
    "issuing_agency": "宝鸡市财政局文件",
    "agency_code": "宝市财办",
    "signature_agency": "宝鸡市财政局",
    "printing_agency": "宝鸡市财政局办公室",
}


def defaults() -> dict:
    return {**DEFAULTS, **getattr(settings, "JINCAI_OA_DEFAULTS", {})}


def _require_department(user):
    if user.department_id is None:
        raise PermissionDenied(_("Only members of a department can draft documents."))


@transaction.atomic
def create_draft(user, **fields) -> Document:
    if not user.has_perm("oa.draft_document"):
        raise PermissionDenied(_("You are not allowed to draft official documents."))
    _require_department(user)
    values = {**defaults(), **{k: v for k, v in fields.items() if v not in (None, "")}}
    values.setdefault("direction", default_direction(values.get("doc_type", "notice")))
    doc = Document(kind=Document.OUTGOING, department=user.department, created_by=user, **values)
    doc.full_clean(exclude=["state", "department", "created_by"])
    return workflow.start(doc, "draft", user, "draft")


def may_edit(doc: Document, user) -> bool:
    try:
        _edit_mode(doc, user)
    except (PermissionDenied, TransitionRefused):
        return False
    return True


def _edit_mode(doc: Document, user) -> str:
    """'free' (draft/review) or 'after_signing'; refuses everything else."""
    if doc.state == "archived":
        raise TransitionRefused(_("This document is archived and can no longer be changed."))
    if not doc.is_outgoing:
        raise TransitionRefused(_("Incoming documents are kept as received."))
    if doc.state in ("issued", "distributed"):
        raise TransitionRefused(_("An issued document can not be changed; issue a correction instead."))
    if doc.state in ("countersigning", "signing"):
        raise TransitionRefused(_("The document is with the countersigning departments or the signer; "
                                  "it must be returned before it can be changed."))
    t = workflow.machine(doc).transitions
    if doc.state == "draft" and workflow.acting_principal(t["submit"], doc, user):
        return "free"
    if doc.state == "reviewing" and workflow.acting_principal(t["review_pass"], doc, user):
        return "free"
    if doc.state in ("signed", "numbered") and workflow.acting_principal(t["assign_number"], doc, user):
        return "after_signing"
    raise PermissionDenied(_("You are not allowed to change this document now."))


@transaction.atomic
def update_document(doc: Document, user, changes: dict) -> Document:
    """Change fields; a substantive change after signing sends the document back to the signer."""
    doc = Document.objects.select_for_update().get(pk=doc.pk)
    mode = _edit_mode(doc, user)
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    if doc.number and "agency_code" in changes and changes["agency_code"] != doc.agency_code:
        raise TransitionRefused(_("The agency code can not change once the number is assigned."))
    changed = [k for k, v in changes.items() if getattr(doc, k) != v]
    if not changed:
        return doc
    before = snapshot(doc, changed)
    for k in changed:
        setattr(doc, k, changes[k])
    doc.full_clean(exclude=["state", "department", "created_by"])
    doc.save()
    substantive = [k for k in changed if k in SUBSTANTIVE_FIELDS]
    DocumentEvent.objects.create(document=doc, transition="edit", from_state=doc.state, to_state=doc.state,
                                 actor=user, data={"fields": changed})
    record("oa.edit", doc, before=before, after=snapshot(doc, changed), actor=user)
    if mode == "after_signing" and substantive:
        doc = workflow.transition(doc, "return_to_signer", user, internal=True,
                                  comment=_("Changed after signing: %(fields)s") % {"fields": ", ".join(substantive)})
    return doc


@transaction.atomic
def add_attachment(doc: Document, user, uploaded) -> Attachment:
    doc = Document.objects.select_for_update().get(pk=doc.pk)
    mode = _edit_mode(doc, user)
    media_type = validate_upload(uploaded, allowed=ATTACHMENT_TYPES)
    digest = hashlib.sha256()
    uploaded.seek(0)
    data = uploaded.read()
    digest.update(data)
    att = Attachment(document=doc, name=uploaded.name[:255], media_type=media_type, size=len(data),
                     sha256=digest.hexdigest(), uploaded_by=user)
    att.file.save(f"{digest.hexdigest()[:16]}", ContentFile(data), save=False)
    att.save()
    DocumentEvent.objects.create(document=doc, transition="attach", from_state=doc.state, to_state=doc.state,
                                 actor=user, data={"name": att.name, "sha256": att.sha256})
    record("oa.attach", doc, detail={"name": att.name, "sha256": att.sha256, "media_type": media_type}, actor=user)
    if mode == "after_signing":
        workflow.transition(doc, "return_to_signer", user, internal=True,
                            comment=_("An attachment was added after signing."))
    return att


@transaction.atomic
def register_paper(user, **fields) -> Document:
    """签收 of a paper document handed in at the office: it starts as received, awaiting registration."""
    if not user.has_perm("oa.clerk_document"):
        raise PermissionDenied(_("Only the office registers incoming documents."))
    _require_department(user)
    doc = Document(kind=Document.INCOMING, department=user.department, created_by=user,
                   received_at=timezone.now(), **fields)
    doc.full_clean(exclude=["state", "department", "created_by"])
    return workflow.start(doc, "received", user, "receive")


def check_not_archived(doc: Document) -> None:
    if doc.state == "archived":
        raise ValidationError(_("This document is archived and can no longer be changed."))
