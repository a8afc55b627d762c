"""The built-in (default) handlers: keep received messages as ``ReceivedRecord`` rows.

Apps replace them by registering their own ``apply`` for a message type (see exchange.registry).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

KEY_FIELDS = ("document_id", "submission_id")


def _save(name: str, attachment) -> str:
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.path(name))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            with open(tmp, "wb") as out:
                for chunk in attachment.chunks():
                    out.write(chunk)
            os.replace(tmp, path)
        return name
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(attachment.read_bytes()))
    return name


def store_attachments(ctx) -> list[dict]:
    """Copy verified attachments into media storage under their SHA-256 (a rollback leaves at most
    an unreferenced file, never a half-applied record)."""
    out = []
    for a in ctx.attachments:
        name = _save(f"exchange/received/{a.sha256[:2]}/{a.sha256}", a)
        out.append({"name": a.name or "", "media_type": a.media_type, "size": a.size, "sha256": a.sha256,
                    "stored": name})
    return out


def store_record(ctx):
    from exchange.models import ReceivedRecord

    key = next((str(ctx.body[k]) for k in KEY_FIELDS if k in ctx.body), "")
    return ReceivedRecord.objects.create(
        channel=ctx.channel, message_type=ctx.message_type, version=ctx.version, key=key[:100],
        package_uuid=ctx.package_uuid, seq=ctx.seq, item_index=ctx.item_index,
        classification=ctx.classification, payload=ctx.body, attachments=store_attachments(ctx),
        untrusted=not ctx.trusted,
    )
