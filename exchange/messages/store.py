"""The built-in (default) handlers: keep received messages as ``ReceivedRecord`` rows.

Apps replace them by registering their own ``apply`` for a message type (see exchange.registry).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

KEY_FIELDS = ("document_id", "submission_id")


def _create(path: Path):
    """A new file at ``path``; its directory is made only when it is missing (a mkdir per file
    would cost a system call each time)."""
    try:
        return open(path, "xb")  # noqa: SIM115 (the caller closes it)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "xb")  # noqa: SIM115


def _name(attachment) -> str:
    return f"exchange/received/{attachment.sha256[:2]}/{attachment.sha256}"


def _save(name: str, attachment) -> str:
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.path(name))
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")  # unique per thread too
            with _create(tmp) as out:
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
        name = a.stored or _save(_name(a), a)
        out.append({"name": a.name or "", "media_type": a.media_type, "size": a.size, "sha256": a.sha256,
                    "stored": name})
    return out


def _record(ctx):
    from exchange.models import ReceivedRecord

    key = next((str(ctx.body[k]) for k in KEY_FIELDS if k in ctx.body), "")
    return ReceivedRecord(
        channel=ctx.channel, message_type=ctx.message_type, version=ctx.version, key=key[:100],
        package_uuid=ctx.package_uuid, seq=ctx.seq, item_index=ctx.item_index,
        classification=ctx.classification, payload=ctx.body, attachments=store_attachments(ctx),
        untrusted=not ctx.trusted,
    )


def store_record(ctx):
    record = _record(ctx)
    record.save(force_insert=True)
    return record


def store_records(ctxs) -> list:
    """``store_record`` for consecutive items of one package: one INSERT for all of them.

    Receivers of ``post_save`` (search indexing) are told of each new row as ``save`` would.
    """
    from django.db import router
    from django.db.models.signals import post_save

    from exchange.models import ReceivedRecord

    records = [_record(ctx) for ctx in ctxs]
    ReceivedRecord.objects.bulk_create(records)
    using = router.db_for_write(ReceivedRecord)
    if any(r.pk is None for r in records):  # a backend that does not return primary keys
        by_index = dict(ReceivedRecord.objects.filter(package_uuid=ctxs[0].package_uuid).values_list(
            "item_index", "pk"))
        for record in records:
            record.pk = by_index[record.item_index]
    if post_save.has_listeners(ReceivedRecord):
        for record in records:
            post_save.send(sender=ReceivedRecord, instance=record, created=True, update_fields=None, raw=False,
                           using=using)
    return records


def prestore(item) -> None:
    """Write a verified item's attachments into storage ahead of its apply (from a verify worker
    thread): they are content-addressed, so the apply then only finds them there."""
    for a in item.attachments:
        a.stored = _save(_name(a), a)


store_record.many = store_records  # exchange.services.inbox applies runs of items in one call
store_record.prepare = prestore  # ... and calls this in its verify workers
