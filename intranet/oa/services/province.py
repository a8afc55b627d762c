"""Official documents to and from the provincial bureau, over the exchange's encrypted channels."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from common.accounts.models import Department
from exchange.errors import MessageRefused
from exchange.services.outbox import Attachment as OutAttachment
from exchange.services.outbox import enqueue
from intranet.oa import workflow
from intranet.oa.models import Attachment, Document

TO_PROVINCE = "to-province"
URGENCY_OUT = {"": "normal", "urgent": "urgent", "very_urgent": "very_urgent"}
URGENCY_IN = {"normal": "", "urgent": "urgent", "very_urgent": "very_urgent"}


def classification(doc: Document) -> str:
    if doc.secrecy:
        return "restricted"
    return "public" if doc.disclosure == "public" else "internal"


def message_body(doc: Document) -> dict:
    recipients = [r.strip() for r in doc.main_recipients.replace("，", "、").split("、") if r.strip()]
    return {
        "document_id": f"jincai-oa-{doc.pk}",
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.signature_agency or doc.issuing_agency,
        "issued_on": (doc.printed_date or doc.written_date or timezone.localdate()).isoformat(),
        "urgency": URGENCY_OUT.get(doc.urgency, "normal"),
        "recipients": recipients[:50],
        "body_text": doc.body,
        "in_reply_to": None,
    }


def send_to_province(doc: Document, user):
    """Queue the issued PDF and its attachments for the province (signed and encrypted at export)."""
    if doc.state not in ("issued", "distributed") or not doc.pdf:
        raise ValidationError(_("Only an issued document (with its PDF) can be sent to the province."))
    files = [OutAttachment(f"{doc.doc_number or doc.pk}.pdf", data=doc.pdf.open("rb").read(),
                           media_type="application/pdf")]
    for a in doc.files.all():
        with a.file.open("rb") as fh:
            files.append(OutAttachment(a.name, data=fh.read(), media_type=a.media_type))
    try:
        return enqueue(TO_PROVINCE, "oa.official_document", 1, message_body(doc), classification=classification(doc),
                       attachments=files, ref=f"oa:{doc.pk}", actor=user)
    except MessageRefused as exc:
        raise ValidationError(_("The exchange refused the document: %(reason)s") % {"reason": exc}) from None


def apply_incoming(ctx) -> None:
    """Handler for ``oa.official_document`` v1 from the province: a new entry awaiting receipt (签收)."""
    if ctx.channel != "from-province":
        return
    body = ctx.body
    if Document.objects.filter(kind=Document.INCOMING, exchange_id=body["document_id"]).exists():
        return  # the same document sent again in a new package: keep the first registration
    office = Department.objects.filter(code=_office_code()).first()
    doc = Document(
        kind=Document.INCOMING, department=office, title=body["title"][:500], source_agency=body["issuer"][:200],
        source_number=body.get("doc_number", "")[:100], body=body.get("body_text", ""),
        urgency=URGENCY_IN.get(body.get("urgency", "normal"), ""),
        main_recipients="、".join(body.get("recipients", []))[:1000],
        written_date=body["issued_on"], received_at=timezone.now(), exchange_id=body["document_id"],
        secrecy="", disclosure="not_public",
    )
    doc.state = "arrived"
    doc.save()
    for a in ctx.attachments:
        att = Attachment(document=doc, name=(a.name or "attachment")[:255], media_type=a.media_type, size=a.size,
                         sha256=a.sha256)
        att.file.save(a.sha256[:16], ContentFile(a.read_bytes()), save=False)
        att.save()
    workflow.start(doc, "arrived", None, "arrive", channel=ctx.channel, package=str(ctx.package_uuid),
                   seq=ctx.seq, classification=ctx.classification)


def _office_code() -> str:
    from intranet.oa.flows import office_code

    return office_code()
