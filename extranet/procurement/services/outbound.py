"""Everything the supplier side sends to the intranet goes through the exchange outbox here."""

from __future__ import annotations

import base64
from pathlib import Path

from exchange import canonical
from exchange.mediatypes import PGP_ENCRYPTED
from exchange.services import keys
from exchange.services.outbox import Attachment, enqueue

CHANNEL = "to-intranet"
PARTS_PER_MESSAGE = 8


def send(message_type: str, body: dict, *, attachments: list[Attachment] = (), classification: str = "internal",
         ref: str = ""):
    return enqueue(CHANNEL, message_type, 1, body, classification=classification, attachments=list(attachments),
                   ref=ref)


def send_sealed_parts(bid_id: str, version: int, tender_id: str, directory: Path, files: list[dict]) -> None:
    """Queue the ciphertext parts of a bid version, at most ``PARTS_PER_MESSAGE`` per message.

    ``files`` are ``{"index", "parts": [{"path", "size"}]}``; the parts are passed by path
    so the outbox reads one at a time.
    """
    flat = [(f["index"], n, p) for f in files for n, p in enumerate(f["parts"])]
    for start in range(0, len(flat), PARTS_PER_MESSAGE):
        chunk = flat[start:start + PARTS_PER_MESSAGE]
        body = {"bid_id": bid_id, "version": version, "tender_id": tender_id,
                "parts": [{"file": i, "part": n, "size": p["size"]} for i, n, p in chunk]}
        attachments = [Attachment(name=f"{bid_id}-v{version}-f{i:02d}-p{n:05d}.pgp", path=directory / p["path"],
                                  media_type=PGP_ENCRYPTED, link=True) for i, n, p in chunk]
        send("procurement.bid.parts", body, attachments=attachments, ref=f"bid:{bid_id}:{version}")


def sign(document: dict, fingerprint: str | None = None) -> str:
    """The extranet's detached OpenPGP signature over the canonical JSON of ``document`` (base64), by
    ``fingerprint`` when the caller already looked up the extranet's own key."""
    fpr = fingerprint or keys.own_fingerprint()
    if not fpr:
        raise RuntimeError("the extranet has no exchange key to sign receipts with")
    return base64.b64encode(keys.sign_detached(canonical.dumps(document), fpr)).decode()


def signing_fingerprint() -> str | None:
    return keys.own_fingerprint()


def public_key() -> str:
    fpr = keys.own_fingerprint()
    return keys.keyring().export_public(fpr) if fpr else ""
