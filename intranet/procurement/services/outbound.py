"""Everything procurement publishes goes to the extranet through the exchange outbox here."""

from __future__ import annotations

import json
from datetime import UTC

from exchange.services.outbox import Attachment, enqueue

CHANNEL = "to-extranet"


def iso(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def publish_to_extranet(message_type: str, body: dict, *, documents=(), ref: str = ""):
    """Queue a public procurement message; ``documents`` are TenderDocument rows sent as attachments."""
    attachments = [Attachment(name=d.file.name.rsplit("/", 1)[-1], path=d.file.path, media_type=d.media_type)
                   for d in documents]
    return enqueue(CHANNEL, message_type, 1, {**body, "disclosure": "public"}, classification="public",
                   attachments=attachments, ref=ref)


def publish_ocds(tender_id: str, ocid: str, release: dict, record: dict):
    """OCDS amounts are JSON numbers: the release and the record travel as JSON attachments."""
    def as_json(value: dict) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()

    body = {"tender_id": tender_id, "ocid": ocid, "release_id": release["id"], "date": release["date"],
            "disclosure": "public"}
    return enqueue(CHANNEL, "procurement.ocds.release", 1, body, classification="public", ref=f"tender:{tender_id}",
                   attachments=[Attachment("release.json", data=as_json(release), media_type="application/json"),
                                Attachment("record.json", data=as_json(record), media_type="application/json")])
