"""Submissions from the public arrive here (exchange import, inside its transaction)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common.audit.services import record
from exchange import registry
from intranet.consultation import services
from intranet.consultation.models import ANSWER_DAYS, Case, add_working_days


def apply_submission(ctx: registry.ApplyContext) -> None:
    b = ctx.body
    if Case.objects.filter(tracking_no=b["submission_id"]).exists():
        return  # the same submission delivered again: nothing to do
    contact = b.get("contact") or {}
    now = timezone.now()
    case = Case.objects.create(
        tracking_no=b["submission_id"], kind=b["kind"], topic=b.get("topic", "")[:50], subject=b["subject"],
        text=b["text"], contact_name=contact.get("name", ""), contact_email=contact.get("email", ""),
        contact_phone=contact.get("phone", ""), wants_public=bool(b.get("wants_public", False)),
        regarding=b.get("regarding") or "", section=b.get("section", ""), page_url=b.get("page_url", ""),
        submitted_at=parse_datetime(b["submitted_at"]) or now, received_at=now,
        due_at=add_working_days(now, ANSWER_DAYS.get(b["kind"], 10)), package_uuid=ctx.package_uuid)
    record("consultation.received", case, detail={"tracking_no": case.tracking_no, "kind": case.kind,
                                                  "package": ctx.package_uuid, "untrusted": not ctx.trusted},
           actor_name="exchange")
    services.send_status(case, "received")


def register() -> None:
    import exchange.messages  # noqa: F401  (the schemas, whatever the app order)

    registry.register("consultation.submission", 1, apply=apply_submission)
    registry.register("consultation.submission", 2, apply=apply_submission)
