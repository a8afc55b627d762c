"""Release an issued document to the public portal as a policy page (主动公开).

The publishing desk calls :func:`release_to_portal`; it is the one place that decides whether a
document may leave for the extranet. The exchange checks the classification again at export
and the extranet at import, so a classified document is refused three times over.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from common.audit.services import record
from exchange.errors import MessageRefused
from exchange.services.outbox import enqueue
from intranet.oa.elements import DocType
from intranet.oa.models import Document, DocumentEvent

CHANNEL = "to-extranet"
RELEASABLE_STATES = ("issued", "distributed", "archived")


def release_problems(doc: Document) -> list[str]:
    problems = []
    if not doc.is_outgoing or doc.state not in RELEASABLE_STATES:
        problems.append(_("Only an issued document can be released to the public."))
    if doc.secrecy:
        problems.append(_("A classified document (密级) is never released to the extranet."))
    if doc.disclosure != "public":
        problems.append(_("Only documents marked for active disclosure (主动公开) are released to the public."))
    return problems


def policy_body(doc: Document, revision: int) -> dict:
    paragraphs = [line.strip() for line in doc.body.splitlines() if line.strip()]
    return {
        "document_id": f"jincai-oa-{doc.pk}",
        "revision": revision,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.signature_agency or doc.issuing_agency,
        "issued_on": (doc.written_date or doc.printed_date or timezone.localdate()).isoformat(),
        "effective_from": None,
        "effective_until": None,
        "validity": "valid",
        "category": str(DocType(doc.doc_type).label) if doc.doc_type in DocType.values else "",
        "keywords": [],
        "summary": paragraphs[0][:4000] if paragraphs else "",
        "body_html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
        "interprets": None,
        "attachment_titles": [a[:255] for a in doc.attachment_lines()][:20],
        "disclosure": "public",
        "published_at": timezone.now().replace(microsecond=0).isoformat(),
    }


def release_to_portal(document: Document, user):
    """Check the rules and queue ``portal.policy.publish`` v1 for the extranet; returns the outbox item."""
    if not user.has_perm("oa.release_document"):
        raise PermissionDenied(_("You are not allowed to release documents to the public portal."))
    problems = release_problems(Document.objects.get(pk=document.pk))
    if problems:  # the refusal is audited; nothing else happens
        record("oa.release_refused", document, detail={"problems": problems}, actor=user)
        raise ValidationError(problems)
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=document.pk)
        problems = release_problems(doc)  # again, under the lock
        if problems:
            raise ValidationError(problems)
        revision = doc.release_revision + 1
        try:
            item = enqueue(CHANNEL, "portal.policy.publish", 1, policy_body(doc, revision), classification="public",
                           ref=f"oa:{doc.pk}", actor=user)
        except MessageRefused as exc:
            raise ValidationError(_("The exchange refused the document: %(reason)s") % {"reason": exc}) from None
        # The row is updated directly: releasing is allowed for archived (read-only) documents too.
        now = timezone.now()
        Document.objects.filter(pk=doc.pk).update(released_at=now, release_revision=revision)
        DocumentEvent.objects.create(document=doc, transition="release", from_state=doc.state, to_state=doc.state,
                                     actor=user, data={"revision": revision, "outbound_item": item.pk})
        record("oa.release", doc, detail={"revision": revision, "channel": CHANNEL, "outbound_item": item.pk},
               actor=user)
    document.released_at, document.release_revision = now, revision
    return item
