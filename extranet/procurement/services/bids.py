"""Accepting, replacing and withdrawing sealed bids; closing tenders at their deadline."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
from datetime import UTC
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from extranet.procurement import clock
from extranet.procurement.models import Bid, BidFile, BidVersion, Supplier, Tender, new_id, private_root
from extranet.procurement.sealing import BidUploadHandler, SealingError, bid_store
from extranet.procurement.services import outbound

log = logging.getLogger(__name__)
FORM_NAME = "bid-form.json"


def iso(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def key_file(tender: Tender) -> Path:
    """The tender's bid-opening public key as a file for ``gpg --recipient-file``."""
    path = private_root() / "keys" / f"{tender.key_fingerprint}.asc"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(tender.public_key)
        os.replace(tmp, path)
    return path


def refusal(tender: Tender, supplier: Supplier | None, at=None) -> str | None:
    """Why ``supplier`` may not bid on ``tender`` now, or None."""
    if supplier is None or not supplier.approved:
        return _("Only approved suppliers can submit bids.")
    if tender.cancellation:
        return _("This tender has been cancelled; no bids are accepted.")
    if not tender.accepting_bids(at):
        return _("The bid deadline has passed; no bids are accepted.")
    return None


def _bid_form(tender: Tender, supplier: Supplier, lot: int, price: Decimal, files) -> bytes:
    # The receipt binds this form (by its hash) to the bid and version; the nonce keeps that hash
    # from revealing a guessable price.
    form = {"type": "jincai.bid-form", "tender_id": tender.tender_id, "lot": lot, "price": f"{price:.2f}",
            "currency": "CNY", "supplier_uscc": supplier.uscc,
            "files": [{"name": f.name, "sha256": f.sha256} for f in files], "nonce": secrets.token_hex(16)}
    return json.dumps(form, ensure_ascii=False, sort_keys=True).encode()


def _receipt(tender: Tender, supplier: Supplier, lot: int, bid_id: str, version: int, at, files, form,
             signer: str) -> dict:
    return {
        "type": "jincai.bid-receipt", "tender_id": tender.tender_id, "tender_reference": tender.reference,
        "tender_title": tender.title, "lot": lot, "bid_id": bid_id, "bid_version": version,
        "supplier": {"name": supplier.company_name, "uscc": supplier.uscc}, "received_at": iso(at),
        "files": [{"name": f.name, "size": f.size, "sha256": f.sha256, "media_type": f.media_type} for f in files],
        "bid_form_sha256": form.sha256, "sealed_to": tender.key_fingerprint, "signed_by": signer,
    }


def submit(tender_pk: int, supplier: Supplier, lot: int, price: Decimal, handler: BidUploadHandler,
           actor=None) -> BidVersion:
    """Record a sealed upload as the supplier's bid (a new version if one exists) and queue it.

    The deadline is checked again here, under the tender's lock, at the end of the upload.
    """
    files = handler.sealed
    final: Path | None = None
    # The form is sealed and the receipt signed before the database lock is taken (they are the slow
    # part); under the lock the deadline is checked again and, if another submission of the same bid
    # won the race, the receipt is redone with the version actually assigned.
    tender = Tender.objects.get(pk=tender_pk)
    if lot not in tender.lot_numbers():
        raise SealingError("lot", _("Choose one of the tender's lots."))
    form = handler.seal_document(0, FORM_NAME, _bid_form(tender, supplier, lot, price, files))
    known = Bid.objects.filter(tender=tender, supplier=supplier, lot=lot).values_list("bid_id", "version").first()
    bid_id, version = (known[0], known[1] + 1) if known else (new_id(), 1)
    at = clock.now()
    signer = outbound.signing_fingerprint() or ""
    receipt = _receipt(tender, supplier, lot, bid_id, version, at, files, form, signer)
    signature = outbound.sign(receipt, signer)
    try:
        with transaction.atomic():
            tender = Tender.objects.select_for_update().get(pk=tender_pk)
            if tender.cancellation:
                raise SealingError("cancelled", _("The tender was cancelled during the upload; the bid was not "
                                                  "accepted."))
            if clock.now() >= tender.bid_deadline:
                raise SealingError("closed", _("The bid deadline passed before the upload was complete; "
                                               "the bid was not accepted."))
            bid = Bid.objects.select_for_update().filter(tender=tender, supplier=supplier, lot=lot).first()
            if bid is None:  # a first bid: created with its first version in force
                bid = Bid.objects.create(bid_id=bid_id, tender=tender, supplier=supplier, lot=lot, version=1,
                                         status=Bid.SUBMITTED)
                assigned, previous = (bid.bid_id, 1), None
            else:
                assigned = (bid.bid_id, bid.version + 1)
                previous = bid.versions.filter(status=BidVersion.CURRENT).first() if bid.version else None
            if assigned != (bid_id, version):
                (bid_id, version), at = assigned, clock.now()
                receipt = _receipt(tender, supplier, lot, bid_id, version, at, files, form, signer)
                signature = outbound.sign(receipt, signer)
            relative = f"{tender.tender_id}/{bid.bid_id}/v{version}"
            manifest = {
                "bid_id": bid.bid_id, "version": version, "tender_id": tender.tender_id, "lot": lot,
                "supplier": {"supplier_id": supplier.supplier_id, "company_name": supplier.company_name,
                             "uscc": supplier.uscc},
                "submitted_at": iso(at), "key_fingerprint": tender.key_fingerprint, "form": form.manifest(),
                "files": [f.manifest() for f in files], "receipt": receipt, "receipt_signature": signature,
            }
            bv = BidVersion.objects.create(bid=bid, version=version, submitted_at=at, receipt=receipt,
                                           receipt_signature=signature, store=relative, manifest=manifest,
                                           sealed_queued=True)
            BidFile.objects.bulk_create([
                BidFile(version=bv, index=sealed.index, name=sealed.name, media_type=sealed.media_type,
                        size=sealed.size, sha256=sealed.sha256, parts=sealed.parts) for sealed in [form, *files]])
            if previous is not None:
                previous.status = BidVersion.REPLACED
                previous.save(update_fields=["status"])
            if (bid.version, bid.status) != (version, Bid.SUBMITTED):
                bid.version, bid.status = version, Bid.SUBMITTED
                bid.save(update_fields=["version", "status"])
            final = bid_store() / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            handler.staging.rename(final)
            handler.kept = True
            # The sealed-bid message commits with the bid (it carries no file, so queuing it is a
            # row insert under the lock already held); only the ciphertext parts, whose digests the
            # outbox takes by reading them, are queued after the commit.
            outbound.send("procurement.bid.sealed", manifest, ref=f"bid:{bid.bid_id}:{version}")
            parts = [{"index": sealed.index, "parts": sealed.parts} for sealed in [form, *files]]
            transaction.on_commit(lambda: forward(bv.pk, parts))
            record("procurement.bid.submitted", bv, actor=actor, detail={
                "tender": tender.tender_id, "bid": bid.bid_id, "version": version, "lot": lot,
                "files": receipt["files"], "replaces": previous.version if previous else None})
            if previous is not None:
                old = bid_store() / previous.store
                transaction.on_commit(lambda: shutil.rmtree(old, ignore_errors=True))
    except BaseException:
        if final is not None and handler.kept:
            shutil.rmtree(final, ignore_errors=True)
            handler.kept = False
        raise
    return bv


def forward(version_pk: int, parts: list[dict] | None = None) -> bool:
    """Queue a bid version's ciphertext parts for the intranet (its sealed-bid message went with
    the version's own transaction; older versions that did not are queued here too).

    Runs after the bid's transaction has committed, outside any transaction, so that the outbox's
    reading of the ciphertext (for its digests) never holds the database lock that serializes
    submissions. A version whose parts were not queued (the process died in between) is forwarded by
    :func:`forward_pending`, which runs before any withdrawal and before the closing list; a repeat
    only queues duplicates that the intranet recognizes. The intranet keeps parts and sealed-bid
    messages in either order; opening waits for the closing list, which follows both.
    """
    bv = (BidVersion.objects.filter(pk=version_pk, forwarded_at__isnull=True).exclude(manifest={})
          .select_related("bid__tender").only("pk", "version", "store", "manifest", "sealed_queued", "bid__bid_id",
                                              "bid__tender__tender_id").first())
    if bv is None:
        return False
    if parts is None:
        parts = [{"index": f.index, "parts": f.parts} for f in bv.files.all()]
    bid_id = bv.bid.bid_id
    outbound.send_sealed_parts(bid_id, bv.version, bv.bid.tender.tender_id, bid_store() / bv.store, parts)
    if not bv.sealed_queued:
        outbound.send("procurement.bid.sealed", bv.manifest, ref=f"bid:{bid_id}:{bv.version}")
    BidVersion.objects.filter(pk=bv.pk).update(forwarded_at=clock.now(), sealed_queued=True)
    return True


def forward_pending(tender: Tender | None = None) -> int:
    pending = BidVersion.objects.filter(forwarded_at__isnull=True).exclude(manifest={})
    if tender is not None:
        pending = pending.filter(bid__tender=tender)
    return sum(forward(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))


def withdraw(bid: Bid, actor=None) -> BidVersion:
    forward_pending(bid.tender)  # the sealed bid travels before its withdrawal
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        at = clock.now()
        if at >= tender.bid_deadline:
            raise SealingError("closed", _("The bid deadline has passed; a bid can no longer be withdrawn."))
        if bid.status != Bid.SUBMITTED:
            raise SealingError("state", _("This bid has already been withdrawn."))
        current = bid.versions.get(version=bid.version)
        current.status, current.withdrawn_at = BidVersion.WITHDRAWN, at
        current.save(update_fields=["status", "withdrawn_at"])
        bid.status = Bid.WITHDRAWN
        bid.save(update_fields=["status"])
        outbound.send("procurement.bid.withdraw", {"bid_id": bid.bid_id, "version": current.version,
                                                   "tender_id": tender.tender_id, "withdrawn_at": iso(at)},
                      ref=f"bid:{bid.bid_id}:{current.version}")
        record("procurement.bid.withdrawn", current, actor=actor,
               detail={"tender": tender.tender_id, "bid": bid.bid_id, "version": current.version})
        stored = bid_store() / current.store
        transaction.on_commit(lambda: shutil.rmtree(stored, ignore_errors=True))
    return current


def close_due_tenders() -> list[str]:
    """After each deadline, tell the intranet which bids are in force (opening waits for this list)."""
    closed = []
    at = clock.now()
    due = Tender.objects.filter(closing_sent_at__isnull=True, bid_deadline__lte=at, cancellation__isnull=True)
    for pk in due.values_list("pk", flat=True):
        forward_pending(Tender.objects.get(pk=pk))  # every bid travels before the list that names it
        with transaction.atomic():
            tender = Tender.objects.select_for_update().get(pk=pk)
            if tender.closing_sent_at or tender.cancellation or clock.now() < tender.bid_deadline:
                continue
            in_force = list(tender.bids.filter(status=Bid.SUBMITTED, version__gt=0).order_by("pk"))
            withdrawn = tender.bids.filter(status=Bid.WITHDRAWN).count()
            outbound.send("procurement.bid.closing", {
                "tender_id": tender.tender_id, "bid_deadline": iso(tender.bid_deadline), "closed_at": iso(at),
                "bids": [{"bid_id": b.bid_id, "version": b.version} for b in in_force], "withdrawn": withdrawn,
            }, ref=f"tender:{tender.tender_id}")
            tender.closing_sent_at = at
            tender.save(update_fields=["closing_sent_at"])
            record("procurement.tender.closed", tender, actor_name="procurement",
                   detail={"tender": tender.tender_id, "bids": len(in_force), "withdrawn": withdrawn})
            closed.append(tender.tender_id)
    return closed


def purge_stale_staging(max_age_seconds: int = 24 * 3600) -> int:
    """Remove staging directories left by a process that died mid-upload (ciphertext only)."""
    import time

    root = bid_store() / ".staging"
    removed = 0
    if root.exists():
        for path in root.iterdir():
            if time.time() - path.stat().st_mtime > max_age_seconds:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed
