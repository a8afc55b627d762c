"""Ending a tender early: 终止 (the procurement is terminated) or 废标 (the tender failed).

A manager requests it with a reason; another manager approves it (the requester never approves
their own request). On approval the tender is cancelled, a termination notice (终止公告) goes to
the portal, which stops accepting bids and tells the registered bidders; sealed bids of a
cancelled tender are never opened (opening accepts only published tenders).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from intranet.procurement import clock, ocds
from intranet.procurement.models import Cancellation, Tender
from intranet.procurement.services.outbound import iso, publish_to_extranet
from intranet.procurement.services.publishing import MANAGE, require

CANCELLABLE = (Tender.PUBLISHED, Tender.OPENED)


def request(tender: Tender, user, *, kind: str, reason: str) -> Cancellation:
    require(user, MANAGE)
    reason = (reason or "").strip()
    if kind not in dict(Cancellation.KINDS):
        raise ValidationError(_("Choose whether the procurement is terminated or the tender failed."))
    if not reason:
        raise ValidationError(_("Give the reason; it is published in the termination notice."))
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.status not in CANCELLABLE:
            raise ValidationError(_("Only a published tender that has not been awarded can be cancelled."))
        if tender.cancellations.filter(status=Cancellation.PENDING).exists():
            raise ValidationError(_("A cancellation of this tender is already awaiting approval."))
        row = Cancellation.objects.create(tender=tender, kind=kind, reason=reason[:4000], requested_by=user,
                                          requested_at=clock.now().replace(microsecond=0))
        record("procurement.tender.cancellation_requested", row, actor=user,
               detail={"tender": tender.tender_id, "kind": kind, "reason": reason})
    return row


def decide(cancellation: Cancellation, user, *, approve: bool, comment: str = "") -> Cancellation:
    require(user, MANAGE)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=cancellation.tender_id)
        row = Cancellation.objects.select_for_update().get(pk=cancellation.pk)
        if row.status != Cancellation.PENDING:
            raise ValidationError(_("This cancellation has already been decided."))
        if row.requested_by_id == user.pk:
            raise PermissionDenied(_("The person who requested a cancellation cannot approve it."))
        at = clock.now().replace(microsecond=0)
        row.decided_by, row.decided_at, row.comment = user, at, comment
        if not approve:
            row.status = Cancellation.REJECTED
            row.save(update_fields=["status", "decided_by", "decided_at", "comment"])
            record("procurement.tender.cancellation_rejected", row, actor=user,
                   detail={"tender": tender.tender_id, "comment": comment})
            return row
        if tender.status not in CANCELLABLE:
            raise ValidationError(_("Only a published tender that has not been awarded can be cancelled."))
        before = snapshot(tender, ["status"])
        row.status, row.published_at = Cancellation.APPROVED, at
        row.save(update_fields=["status", "decided_by", "decided_at", "comment", "published_at"])
        tender.status = Tender.CANCELLED
        tender.save(update_fields=["status"])
        publish_to_extranet("procurement.tender.cancel", {
            "tender_id": tender.tender_id, "kind": row.kind, "title": notice_title(tender, row.kind),
            "reason": row.reason, "published_at": iso(at)}, ref=f"tender:{tender.tender_id}")
        ocds.publish(tender, ["tenderCancellation"])
        record("procurement.tender.cancelled", tender, actor=user, before=before, after=snapshot(tender, ["status"]),
               detail={"tender": tender.tender_id, "kind": row.kind, "reason": row.reason,
                       "requested_by": row.requested_by.get_username(), "cancellation": row.pk})
    return row


def notice_title(tender: Tender, kind: str) -> str:
    if kind == Cancellation.FAILED:
        return _("Notice of failed tender (废标公告): %(ref)s %(title)s") % {"ref": tender.reference,
                                                                         "title": tender.title}
    return _("Termination notice (终止公告): %(ref)s %(title)s") % {"ref": tender.reference, "title": tender.title}
