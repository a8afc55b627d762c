"""Supplier registration, clarification questions and document access."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from exchange.services.outbox import Attachment
from extranet.procurement import clock
from extranet.procurement.models import Participation, QualificationFile, Question, Supplier, Tender, new_id
from extranet.procurement.services import outbound
from extranet.procurement.services.bids import iso

QUALIFICATION_TYPES = {"application/pdf", "image/jpeg", "image/png"}
QUALIFICATION_MAX_BYTES = 10 * 1024 * 1024


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


@transaction.atomic
def register(data: dict, files: list[tuple[str, object, str]]) -> Supplier:
    """Create the supplier's account (usable at once, bidding only once approved) and send the
    registration with its qualification files to the intranet for review.

    ``files`` are (title, uploaded file, sniffed media type); the form has validated them.
    """
    user = get_user_model().objects.create_user(username=data["username"], password=data["password"],
                                                email=data["email"], display_name=data["company_name"][:100])
    contacts = [{"name": data["contact_name"], "phone": data["contact_phone"], "email": data["email"],
                 "role": _("Contact person")}]
    supplier = Supplier.objects.create(
        user=user, company_name=data["company_name"], uscc=data["uscc"],
        legal_representative=data["legal_representative"], address=data["address"],
        business_scope=data.get("business_scope", ""), contacts=contacts, submitted_at=clock.now())
    stored = []
    for title, uploaded, media_type in files:
        sha = _sha256(uploaded)
        q = QualificationFile.objects.create(supplier=supplier, title=title[:255], file=uploaded,
                                             media_type=media_type, size=uploaded.size, sha256=sha)
        stored.append(q)
    _send_registration(supplier, stored)
    record("procurement.supplier.registered", supplier, actor=user,
           detail={"uscc": supplier.uscc, "files": [{"title": q.title, "sha256": q.sha256} for q in stored]})
    return supplier


def _send_registration(supplier: Supplier, files: list[QualificationFile]) -> None:
    outbound.send("procurement.supplier.register", {
        "registration_id": supplier.registration_id, "supplier_id": supplier.supplier_id,
        "company_name": supplier.company_name, "uscc": supplier.uscc,
        "legal_representative": supplier.legal_representative, "address": supplier.address,
        "business_scope": supplier.business_scope, "contacts": supplier.contacts,
        "submitted_at": iso(supplier.submitted_at), "files": [{"title": q.title} for q in files],
    }, attachments=[Attachment(name=q.title, path=q.file.path, media_type=q.media_type) for q in files],
        ref=f"supplier:{supplier.supplier_id}")


def resubmit(supplier: Supplier, data: dict, files: list[tuple[str, object, str]], user) -> Supplier:
    """Send a corrected registration after a rejection: a new registration id, reviewed afresh.

    Uploaded ``files`` replace the qualification files sent before; without any, the earlier
    files travel again so that the reviewer sees the complete registration.
    """
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        if supplier.status != Supplier.REJECTED:
            raise ValueError(_("Only a registration that was not approved can be corrected and resubmitted."))
        previous = {"registration_id": supplier.registration_id, "review_note": supplier.review_note}
        contacts = [{"name": data["contact_name"], "phone": data["contact_phone"], "email": data["email"],
                     "role": _("Contact person")}]
        for name in ("company_name", "uscc", "legal_representative", "address"):
            setattr(supplier, name, data[name])
        supplier.business_scope, supplier.contacts = data.get("business_scope", ""), contacts
        supplier.registration_id, supplier.status = new_id(), Supplier.PENDING
        supplier.submitted_at, supplier.reviewed_at = clock.now(), None
        supplier.save()
        if files:
            old = list(supplier.files.all())
            for q in old:
                transaction.on_commit(lambda f=q.file: f.delete(save=False))
            supplier.files.all().delete()
            for title, uploaded, media_type in files:
                QualificationFile.objects.create(supplier=supplier, title=title[:255], file=uploaded,
                                                 media_type=media_type, size=uploaded.size, sha256=_sha256(uploaded))
        stored = list(supplier.files.all().order_by("pk"))
        _send_registration(supplier, stored)
        record("procurement.supplier.resubmitted", supplier, actor=user, detail={
            "uscc": supplier.uscc, "previous": previous, "registration_id": supplier.registration_id,
            "files": [{"title": q.title, "sha256": q.sha256} for q in stored], "files_replaced": bool(files)})
    return supplier


def ask(tender: Tender, supplier: Supplier, text: str) -> Question:
    """Queue a clarification question; only its text and a random id leave the extranet."""
    if clock.now() >= tender.clarification_deadline:
        raise ValueError(_("The period for clarification questions has ended."))
    with transaction.atomic():
        question = Question.objects.create(tender=tender, supplier=supplier, text=text, asked_at=clock.now())
        outbound.send("procurement.clarification.question", {
            "question_id": question.question_id, "tender_id": tender.tender_id, "text": text,
            "asked_at": iso(question.asked_at)}, classification="public", ref=f"tender:{tender.tender_id}")
        record("procurement.clarification.asked", question, detail={"tender": tender.tender_id})
    return question


def participate(tender: Tender, supplier: Supplier) -> None:
    """Obtaining the documents registers the supplier as a bidder for notifications."""
    Participation.objects.get_or_create(tender=tender, supplier=supplier)
