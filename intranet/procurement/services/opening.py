"""Bid opening (开标): only after the deadline, only by an opener with a fresh OTP, all recorded.

For every bid in force (the extranet's closing list; replaced and withdrawn versions are never
opened) the form and files are decrypted with the tender's key, each plaintext hash is checked
against the signed receipt, and every deviation becomes an anomaly in the published record.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.accounts import otp
from common.audit.services import record
from common.uploads import sniff
from exchange import canonical
from exchange.services.keys import keyring, pinned
from intranet.procurement import clock, keys, ocds
from intranet.procurement.models import BidPart, IncomingBid, OpenedBid, Opening, Tender, procurement_root
from intranet.procurement.services.inbound import sealed_store
from intranet.procurement.services.outbound import iso, publish_to_extranet

log = logging.getLogger(__name__)
OPEN = "procurement.open_bids"
BID_TYPES = {"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip", "image/jpeg",
             "image/png"}
MAX_FILE_BYTES = 1 << 31


def opened_store():
    return procurement_root() / "opened"


def readiness(tender: Tender, at=None):
    """(closing, problem): the closing list to open, or why opening is not possible now."""
    at = at or clock.now()
    if tender.status != Tender.PUBLISHED:
        return None, _("Only a published tender whose bids are not yet opened can be opened.")
    if at < tender.bid_deadline:
        return None, _("Bids cannot be opened before the bid deadline (%(when)s).") % {
            "when": tender.bid_deadline.astimezone().strftime("%Y-%m-%d %H:%M:%S")}
    closing = tender.closings.filter(bid_deadline=tender.bid_deadline).first()
    if closing is None:
        return None, _("The list of bids in force has not yet arrived from the extranet; opening waits for it.")
    return closing, None


def _check_receipt(bid: IncomingBid) -> str | None:
    try:
        signature = base64.b64decode(bid.receipt_signature)
    except ValueError:
        return _("the receipt signature is unreadable")
    result = keyring().verify_detached(signature, canonical.dumps(bid.receipt))
    if not result.valid or result.fingerprint not in pinned("to-intranet"):
        return _("the receipt's signature is not valid")
    return None


def _parts(bid: IncomingBid, entry: dict):
    """The stored parts of one sealed file in order, and how many of the declared ones are missing."""
    rows = {p.part_index: p for p in BidPart.objects.filter(bid_id=bid.bid_id, version=bid.version,
                                                             file_index=entry["index"])}
    missing = [n for n in range(entry["parts"]) if n not in rows]
    return [sealed_store() / rows[n].path for n in range(entry["parts"]) if n in rows], missing


def _open_file(tender, passphrase, bid, entry, out, anomalies, sink=None) -> dict | None:
    """Decrypt one sealed file into ``out`` (a path) or ``sink``; append anomalies; return its facts
    or None when it is unusable (a partial plaintext file is removed)."""
    paths, missing = _parts(bid, entry)
    if missing:
        anomalies.append(_("file “%(name)s”: %(n)d encrypted part(s) never arrived") % {"name": entry["name"],
                                                                                         "n": len(missing)})
        return None
    try:
        if out is not None:
            with open(out, "wb") as fh:
                size, sha256, head = keys.decrypt_parts(tender, passphrase, paths, fh, max(entry["size"], 1))
        else:
            size, sha256, head = keys.decrypt_parts(tender, passphrase, paths, sink, max(entry["size"], 1))
        problem = None if sha256 == entry["sha256"] and size == entry["size"] else "hash"
    except keys.DecryptionFailed:
        problem = "decrypt"
    if problem and out is not None:
        out.unlink(missing_ok=True)
    if problem == "decrypt":
        anomalies.append(_("file “%(name)s”: decryption failed (the ciphertext was altered or is not for this "
                           "tender's key)") % {"name": entry["name"]})
        return None
    if problem == "hash":
        anomalies.append(_("file “%(name)s”: its SHA-256 does not match the receipt") % {"name": entry["name"]})
        return None
    return {"name": entry["name"], "size": size, "sha256": sha256, "media_type": sniff(head) if head else "",
            "stored": str(out.relative_to(procurement_root())) if out else ""}


def _open_bid(tender: Tender, passphrase: str, bid: IncomingBid, lots: dict) -> dict:
    anomalies: list[str] = []
    if problem := _check_receipt(bid):
        anomalies.append(problem)
    if bid.key_fingerprint != tender.key_fingerprint:
        anomalies.append(_("the bid was not sealed to this tender's key"))
    if bid.submitted_at >= tender.bid_deadline:
        anomalies.append(_("received after the bid deadline"))
    receipt_files = {(f["name"], f["sha256"], f["size"]) for f in bid.receipt.get("files", [])}
    manifest_files = {(f["name"], f["sha256"], f["size"]) for f in bid.manifest["files"]}
    if receipt_files != manifest_files or bid.receipt.get("bid_form_sha256") != bid.manifest["form"]["sha256"]:
        anomalies.append(_("the files do not match the supplier's receipt"))
    lot = lots.get(bid.lot)
    if lot is None:
        anomalies.append(_("no such lot"))
    price = None
    sink = io.BytesIO()
    form = _open_file(tender, passphrase, bid, bid.manifest["form"], None, anomalies, sink=sink)
    if form is not None:
        try:
            content = json.loads(sink.getvalue())
            if content.get("tender_id") != tender.tender_id or content.get("lot") != bid.lot \
                    or content.get("supplier_uscc") != bid.uscc:
                anomalies.append(_("the bid form belongs to another bid"))
            price = Decimal(content["price"]).quantize(Decimal("0.01"))
            if price <= 0:
                raise InvalidOperation
        except (ValueError, KeyError, TypeError, InvalidOperation):
            anomalies.append(_("the declared price is missing or unreadable"))
            price = None
    if price is not None and lot is not None and price > lot.budget:
        anomalies.append(_("the price exceeds the lot's budget"))
    files = []
    target = opened_store() / tender.tender_id / bid.bid_id
    target.mkdir(parents=True, exist_ok=True)
    for entry in bid.manifest["files"]:
        facts = _open_file(tender, passphrase, bid, entry, target / f"f{entry['index']:02d}", anomalies)
        if facts is None:
            continue
        if facts["media_type"] not in BID_TYPES:
            anomalies.append(_("file “%(name)s” is not of an accepted type") % {"name": entry["name"]})
        files.append(facts)
    return {"lot": lot, "price": price, "anomalies": anomalies, "files": files}


@transaction.atomic
def open_bids(tender: Tender, user, token: str) -> Opening:
    """Open every bid in force. Refused before the deadline, without the opener role or a valid OTP."""
    if not user.has_perm(OPEN):
        raise PermissionDenied(_("Only bid openers may open bids."))
    if otp.verify(user, token) is None:
        record("procurement.opening.refused", tender, actor=user, detail={"reason": "otp"})
        raise ValidationError(_("The one-time password is wrong or has expired."))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    at = clock.now()
    closing, problem = readiness(tender, at)
    if problem:
        record("procurement.opening.refused", tender, actor=user, detail={"reason": problem})
        raise ValidationError(problem)
    lots = {lot.number: lot for lot in tender.lots.all()}
    passphrase = keys.unseal_passphrase(tender.sealed_passphrase)
    opening = Opening.objects.create(tender=tender, opened_at=at, opened_by=user, record={})
    entries, notes = [], []
    try:
        for listed in closing.bids:
            bid = IncomingBid.objects.filter(tender=tender, bid_id=listed["bid_id"], version=listed["version"]).first()
            if bid is None:
                notes.append(_("A bid listed by the extranet (%(id)s, version %(v)d) never arrived.")
                             % {"id": listed["bid_id"], "v": listed["version"]})
                continue
            result = _open_bid(tender, passphrase, bid, lots)
            valid = not result["anomalies"]
            OpenedBid.objects.create(opening=opening, incoming=bid, lot=result["lot"], price=result["price"],
                                     valid=valid, anomalies=result["anomalies"], files=result["files"])
            bid.status = IncomingBid.OPENED
            bid.save(update_fields=["status"])
            entries.append({"bid_id": bid.bid_id, "supplier_name": bid.company_name, "uscc": bid.uscc,
                            "lot": bid.lot, "price": f"{result['price']:.2f}" if result["price"] is not None else None,
                            "status": "valid" if valid else "invalid", "anomalies": result["anomalies"][:50],
                            "files": len(result["files"])})
    finally:
        keys.forget(tender)
    opening.record = {"tender_id": tender.tender_id, "opened_at": iso(at),
                      "opened_by": user.display_name or user.get_username(), "bids": entries,
                      "withdrawn": closing.withdrawn, "notes": " ".join(notes)[:4000], "published_at": iso(at)}
    opening.save(update_fields=["record"])
    tender.status = Tender.OPENED
    tender.save(update_fields=["status"])
    publish_to_extranet("procurement.opening.record", opening.record, ref=f"tender:{tender.tender_id}")
    ocds.publish(tender, ["tenderUpdate"])
    record("procurement.bids.opened", tender, actor=user, detail={
        "tender": tender.tender_id, "bids": len(entries), "invalid": sum(e["status"] == "invalid" for e in entries),
        "withdrawn": closing.withdrawn, "otp_device": "verified"})
    return opening
