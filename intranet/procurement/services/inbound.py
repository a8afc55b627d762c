"""Applying what the extranet sends: registrations, questions and sealed bids (untrusted input).

Bids arrive still encrypted. Their parts are kept by SHA-256; nothing here can or does decrypt.
A problem with one bid (unknown part, wrong key) is recorded for the opening rather than refusing
the package, so that one supplier's broken upload never holds up the channel for everyone else.
"""

from __future__ import annotations

import logging
import re

from django.core.files.base import ContentFile
from django.utils.dateparse import parse_datetime

from common.audit.services import record
from exchange import registry
from exchange.errors import PackageRejected
from intranet.procurement import uscc
from intranet.procurement.models import (
    BidClosing,
    BidPart,
    ClarificationQuestion,
    IncomingBid,
    RegistrationFile,
    SupplierRegistration,
    Tender,
    private_storage,
    procurement_root,
)

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def sealed_store():
    return procurement_root() / "sealed"


def _tender(tender_id: str) -> Tender:
    tender = Tender.objects.filter(tender_id=tender_id).exclude(status=Tender.DRAFT).first()
    if tender is None:
        raise PackageRejected("procurement", f"unknown tender {tender_id}")
    return tender


def apply_registration(ctx) -> None:
    b = ctx.body
    if SupplierRegistration.objects.filter(registration_id=b["registration_id"]).exists():
        return
    reg = SupplierRegistration.objects.create(
        registration_id=b["registration_id"], supplier_id=b["supplier_id"], company_name=b["company_name"],
        uscc=b["uscc"], uscc_valid=uscc.is_valid(b["uscc"]), legal_representative=b["legal_representative"],
        address=b["address"], business_scope=b.get("business_scope", ""), contacts=b["contacts"],
        submitted_at=parse_datetime(b["submitted_at"]))
    titles = [f["title"] for f in b.get("files", [])]
    for n, a in enumerate(ctx.attachments):
        name = _UNSAFE.sub("_", a.name or f"file-{n + 1}")[:80]
        stored = private_storage().save(f"registrations/{reg.registration_id}/{a.sha256[:16]}-{name}",
                                        ContentFile(a.read_bytes()))
        RegistrationFile.objects.create(registration=reg, title=titles[n] if n < len(titles) else name, file=stored,
                                        media_type=a.media_type, size=a.size, sha256=a.sha256)
    record("procurement.supplier.registration_received", reg, actor_name="exchange",
           detail={"uscc": reg.uscc, "uscc_valid": reg.uscc_valid, "files": len(ctx.attachments)})


def apply_question(ctx) -> None:
    b = ctx.body
    tender = _tender(b["tender_id"])
    _, created = ClarificationQuestion.objects.get_or_create(
        question_id=b["question_id"], defaults={"tender": tender, "text": b["text"],
                                                "asked_at": parse_datetime(b["asked_at"])})
    if created:
        record("procurement.clarification.question_received", tender, actor_name="exchange",
               detail={"tender": tender.tender_id, "question": b["question_id"]})


def apply_parts(ctx) -> None:
    b = ctx.body
    _tender(b["tender_id"])
    if len(ctx.attachments) != len(b["parts"]):
        raise PackageRejected("procurement", "every listed part must travel as one attachment")
    directory = sealed_store() / b["tender_id"] / b["bid_id"] / f"v{b['version']}"
    directory.mkdir(parents=True, exist_ok=True)
    for declared, attachment in zip(b["parts"], ctx.attachments, strict=True):
        if declared["size"] != attachment.size:
            raise PackageRejected("procurement", "a bid part does not match its declared size")
        target = directory / f"f{declared['file']:02d}-p{declared['part']:05d}-{attachment.sha256[:16]}.pgp"
        if not target.exists():
            tmp = target.with_suffix(".part")
            with open(tmp, "wb") as out:
                for chunk in attachment.chunks():
                    out.write(chunk)
            tmp.replace(target)
        BidPart.objects.get_or_create(
            bid_id=b["bid_id"], version=b["version"], file_index=declared["file"], part_index=declared["part"],
            defaults={"sha256": attachment.sha256, "path": str(target.relative_to(sealed_store())),
                      "size": attachment.size})


def apply_sealed(ctx) -> None:
    b = ctx.body
    tender = _tender(b["tender_id"])
    if IncomingBid.objects.filter(bid_id=b["bid_id"], version=b["version"]).exists():
        return
    bid = IncomingBid.objects.create(
        tender=tender, bid_id=b["bid_id"], version=b["version"], lot=b["lot"],
        supplier_id=b["supplier"]["supplier_id"], company_name=b["supplier"]["company_name"],
        uscc=b["supplier"]["uscc"], submitted_at=parse_datetime(b["submitted_at"]),
        key_fingerprint=b["key_fingerprint"], manifest={"form": b["form"], "files": b["files"]},
        receipt=b["receipt"], receipt_signature=b["receipt_signature"], signer=ctx.signer)
    IncomingBid.objects.filter(bid_id=b["bid_id"], version__lt=b["version"], status=IncomingBid.SEALED).update(
        status=IncomingBid.SUPERSEDED)
    record("procurement.bid.received", bid, actor_name="exchange", detail={
        "tender": tender.tender_id, "bid": bid.bid_id, "version": bid.version, "lot": bid.lot,
        "files": [{"name": f["name"], "size": f["size"], "sha256": f["sha256"]} for f in b["files"]]})


def apply_withdraw(ctx) -> None:
    b = ctx.body
    tender = _tender(b["tender_id"])
    count = IncomingBid.objects.filter(tender=tender, bid_id=b["bid_id"], version__lte=b["version"]).exclude(
        status=IncomingBid.OPENED).update(status=IncomingBid.WITHDRAWN)
    record("procurement.bid.withdrawal_received", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "bid": b["bid_id"], "version": b["version"], "rows": count})


def apply_closing(ctx) -> None:
    b = ctx.body
    tender = _tender(b["tender_id"])
    closing = BidClosing.objects.create(tender=tender, bid_deadline=parse_datetime(b["bid_deadline"]),
                                        closed_at=parse_datetime(b["closed_at"]), bids=b["bids"],
                                        withdrawn=b.get("withdrawn", 0))
    record("procurement.bids.closed", tender, actor_name="exchange",
           detail={"tender": tender.tender_id, "bids": len(b["bids"]), "closing": closing.pk})


HANDLERS = {
    "procurement.supplier.register": apply_registration,
    "procurement.clarification.question": apply_question,
    "procurement.bid.parts": apply_parts,
    "procurement.bid.sealed": apply_sealed,
    "procurement.bid.withdraw": apply_withdraw,
    "procurement.bid.closing": apply_closing,
}


def register_handlers() -> None:
    for name, handler in HANDLERS.items():
        registry.register(name, 1, apply=handler)
