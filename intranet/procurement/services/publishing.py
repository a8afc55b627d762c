"""Publishing tenders and everything that follows them to the extranet."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from common.uploads import validate_upload
from intranet.procurement import clock, keys, ocds, rules
from intranet.procurement.models import (
    Amendment,
    ClarificationAnswer,
    ClarificationQuestion,
    SupplierRegistration,
    Tender,
    TenderDocument,
)
from intranet.procurement.services.outbound import iso, publish_to_extranet

DOCUMENT_TYPES = {"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}
MANAGE = "procurement.manage_tenders"


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def add_document(tender: Tender, title: str, uploaded, user, amendment: Amendment | None = None) -> TenderDocument:
    require(user, MANAGE)
    media_type = validate_upload(uploaded, allowed=DOCUMENT_TYPES)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    with transaction.atomic():
        doc = TenderDocument.objects.create(tender=tender, amendment=amendment, title=title, file=uploaded,
                                            media_type=media_type, size=uploaded.size, sha256=digest.hexdigest())
        record("procurement.document.added", doc, actor=user, detail={"tender": tender.tender_id, "title": title,
                                                                      "sha256": doc.sha256})
    return doc


def publication_problems(tender: Tender, at: datetime) -> list[str]:
    problems = rules.deadline_problems(tender.method, at, tender.clarification_deadline, tender.bid_deadline,
                                       tender.opening_at)
    lots = list(tender.lots.all())
    if not lots:
        problems.append(_("A tender needs at least one lot."))
    elif sum(lot.budget for lot in lots) != tender.budget:
        problems.append(_("The lots' budgets must add up to the tender's budget."))
    if problem := rules.security_problem(tender.budget, tender.bid_security):
        problems.append(problem)
    from intranet.procurement.services.plans import tender_budget_problem

    if problem := tender_budget_problem(tender):
        problems.append(problem)
    if not tender.documents.filter(amendment__isnull=True).exists():
        problems.append(_("Attach the tender documents first."))
    return problems


def _notice(tender: Tender) -> dict:
    return {
        "tender_id": tender.tender_id, "revision": tender.revision, "reference": tender.reference,
        "title": tender.title, "method": tender.method, "buyer": tender.buyer, "agency": tender.agency,
        "description": tender.description, "budget": f"{tender.budget:.2f}", "currency": "CNY",
        "bid_security": f"{tender.bid_security:.2f}",
        "lots": [{"number": lot.number, "title": lot.title, "budget": f"{lot.budget:.2f}",
                  "description": lot.description} for lot in tender.lots.all()],
        "published_at": iso(tender.published_at), "clarification_deadline": iso(tender.clarification_deadline),
        "bid_deadline": iso(tender.bid_deadline), "opening_at": iso(tender.opening_at),
        "opening_place": tender.opening_place, "contact": tender.contact,
        "bid_key": {"fingerprint": tender.key_fingerprint, "public_key": tender.public_key},
        "documents": [{"title": d.title} for d in tender.documents.filter(amendment__isnull=True)],
    }


def publish(tender: Tender, user) -> Tender:
    """Check the legal minimums, make the tender's bid-opening key pair and send the notice, the
    documents and the public key to the extranet."""
    require(user, MANAGE)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.status != Tender.DRAFT:
            raise ValidationError(_("Only a draft tender can be published."))
        at = clock.now().replace(microsecond=0)
        problems = publication_problems(tender, at)
        if problems:
            raise ValidationError(problems)
        before = snapshot(tender, ["status", "revision"])
        tender.key_fingerprint, tender.public_key, tender.sealed_passphrase = keys.create_key_pair(tender)
        tender.status, tender.published_at, tender.revision = Tender.PUBLISHED, at, tender.revision + 1
        tender.save()
        documents = list(tender.documents.filter(amendment__isnull=True))
        publish_to_extranet("procurement.tender.publish", _notice(tender), documents=documents,
                            ref=f"tender:{tender.tender_id}")
        ocds.publish(tender, ["tender"])
        record("procurement.tender.published", tender, actor=user, before=before,
               after=snapshot(tender, ["status", "revision"]),
               detail={"tender": tender.tender_id, "key": tender.key_fingerprint, "documents": len(documents)})
    return tender


def amend(tender: Tender, user, *, title: str, description: str, affects_bids: bool = True,
          new_bid_deadline: datetime | None = None, new_opening_at: datetime | None = None,
          reason: str = "", documents=()) -> Amendment:
    """Publish an amendment (更正公告). One that affects bids published too close to the deadline needs
    a later deadline; a deadline change is also sent as a notification to the registered bidders."""
    require(user, MANAGE)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        at = clock.now().replace(microsecond=0)
        if tender.status != Tender.PUBLISHED or tender.deadline_passed(at):
            raise ValidationError(_("Only a published tender can be amended, before its bid deadline."))
        deadline = new_bid_deadline or tender.bid_deadline
        if new_bid_deadline and new_bid_deadline <= tender.bid_deadline:
            raise ValidationError(_("A new bid deadline must be later than the current one."))
        if affects_bids and (earliest := rules.amendment_needs_extension(tender.method, at, deadline)):
            raise ValidationError(_("This amendment affects bids and comes too late: the bid deadline must be "
                                    "extended to %(when)s or later.") % {"when": earliest.strftime("%Y-%m-%d %H:%M")})
        opening = new_opening_at or (tender.opening_at if tender.opening_at >= deadline else deadline)
        previous = tender.bid_deadline
        number = tender.amendments.count() + 1
        amendment = Amendment.objects.create(
            tender=tender, number=number, title=title, description=description, affects_bids=affects_bids,
            new_bid_deadline=new_bid_deadline, new_opening_at=opening if new_bid_deadline or new_opening_at else None,
            published_at=at, published_by=user)
        for doc_title, uploaded in documents:
            add_document(tender, doc_title, uploaded, user, amendment=amendment)
        tender.bid_deadline, tender.opening_at = deadline, opening
        tender.save(update_fields=["bid_deadline", "opening_at"])
        publish_to_extranet("procurement.tender.amend", {
            "tender_id": tender.tender_id, "amendment_id": amendment.amendment_id, "number": number, "title": title,
            "description": description, "published_at": iso(at),
            "bid_deadline": iso(deadline) if new_bid_deadline else None,
            "opening_at": iso(opening) if new_bid_deadline or new_opening_at else None,
            "documents": [{"title": d.title} for d in amendment.documents.all()]},
            documents=list(amendment.documents.all()), ref=f"tender:{tender.tender_id}")
        if new_bid_deadline:
            publish_to_extranet("procurement.tender.deadline_extended", {
                "tender_id": tender.tender_id, "previous_deadline": iso(previous), "bid_deadline": iso(deadline),
                "opening_at": iso(opening), "reason": reason or title, "published_at": iso(at)},
                ref=f"tender:{tender.tender_id}")
        ocds.publish(tender, ["tenderAmendment"])
        record("procurement.tender.amended", tender, actor=user, detail={
            "tender": tender.tender_id, "amendment": number, "previous_deadline": iso(previous),
            "bid_deadline": iso(deadline)})
    return amendment


def answer(tender: Tender, user, *, question: str, answer_text: str, questions=()) -> ClarificationAnswer:
    """Publish a clarification. The question is published as the bureau words it; nobody here
    knows who asked."""
    require(user, MANAGE)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        at = clock.now().replace(microsecond=0)
        if tender.status != Tender.PUBLISHED or tender.deadline_passed(at):
            raise ValidationError(_("Clarifications can be published only before the bid deadline."))
        row = ClarificationAnswer.objects.create(tender=tender, question=question, answer=answer_text,
                                                 published_at=at, published_by=user)
        asked = ClarificationQuestion.objects.filter(pk__in=[q.pk for q in questions], tender=tender)
        ids = list(asked.values_list("question_id", flat=True))
        asked.update(answer=row)
        publish_to_extranet("procurement.clarification.answer", {
            "tender_id": tender.tender_id, "answer_id": f"{tender.tender_id}-C{row.pk}", "question": question,
            "answer": answer_text, "question_ids": ids, "published_at": iso(at)}, ref=f"tender:{tender.tender_id}")
        record("procurement.clarification.published", row, actor=user,
               detail={"tender": tender.tender_id, "answers": len(ids)})
    return row


def review_supplier(registration: SupplierRegistration, user, *, approve: bool, note: str = "") -> SupplierRegistration:
    require(user, "procurement.review_suppliers")
    with transaction.atomic():
        reg = SupplierRegistration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != SupplierRegistration.PENDING:
            raise ValidationError(_("This registration has already been reviewed."))
        if approve and not reg.uscc_valid:
            raise ValidationError(_("The unified social credit code is not valid; the registration cannot be "
                                    "approved."))
        before = snapshot(reg, ["status"])
        reg.status = SupplierRegistration.APPROVED if approve else SupplierRegistration.REJECTED
        reg.review_note, reg.reviewed_by, reg.reviewed_at = note, user, clock.now().replace(microsecond=0)
        reg.save()
        publish_to_extranet("procurement.supplier.review", {
            "registration_id": reg.registration_id, "supplier_id": reg.supplier_id, "decision": reg.status,
            "note": note, "reviewed_at": iso(reg.reviewed_at)}, ref=f"supplier:{reg.supplier_id}")
        record("procurement.supplier.reviewed", reg, actor=user, before=before, after=snapshot(reg, ["status"]),
               detail={"uscc": reg.uscc, "note": note})
    return reg
