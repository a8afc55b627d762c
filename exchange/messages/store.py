"""The built-in (default) handlers: keep received messages as ``ReceivedRecord`` rows.

Apps replace them by registering their own ``apply`` for a message type (see exchange.registry).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

from exchange import archive

KEY_FIELDS = ("document_id", "submission_id")


def _name(attachment) -> str:
    return f"exchange/received/{attachment.sha256[:2]}/{attachment.sha256}"


def _save(name: str, attachment) -> str:
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.path(name))
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")  # unique per thread too
            with archive.create_new(tmp) as out:
                for chunk in attachment.chunks():
                    out.write(chunk)
            os.replace(tmp, path)
        return name
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(attachment.read_bytes()))
    return name


def store_attachments(ctx, root: Path | None = None) -> list[dict]:
    """Where each verified attachment is kept: in the received package itself (``archive`` and
    ``offset``; see :mod:`exchange.archive`), or, for a decrypted one, copied into media storage
    under its SHA-256 (``stored``). A rollback leaves at most an unreferenced file, never a
    half-applied record. :func:`attachment_bytes` reads either back."""
    out, root = [], root or archive.root()
    for a in ctx.attachments:
        entry = {"name": a.name or "", "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
        if name := archive.name_in(a.source, root):
            entry.update(archive=name, offset=a.offset)
        else:
            entry["stored"] = a.stored or _save(_name(a), a)
        out.append(entry)
    return out


def attachment_bytes(entry: dict) -> bytes:
    """The bytes of an attachment as :func:`store_attachments` recorded it."""
    if "archive" in entry:
        return archive.read(entry)
    with default_storage.open(entry["stored"], "rb") as fh:
        return fh.read()


def _record(ctx, root: Path | None = None):
    from exchange.models import ReceivedRecord

    key = next((str(ctx.body[k]) for k in KEY_FIELDS if k in ctx.body), "")
    return ReceivedRecord(
        channel=ctx.channel, message_type=ctx.message_type, version=ctx.version, key=key[:100],
        package_uuid=ctx.package_uuid, seq=ctx.seq, item_index=ctx.item_index,
        classification=ctx.classification, payload=ctx.body, attachments=store_attachments(ctx, root),
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

    root = archive.root()
    records = [_record(ctx, root) for ctx in ctxs]
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
    root = archive.root()
    for a in item.attachments:
        if archive.name_in(a.source, root) is None:  # an archived one is read where it is
            a.stored = _save(_name(a), a)


store_record.many = store_records  # exchange.services.inbox applies runs of items in one call
store_record.prepare = prestore  # ... and calls this in its verify workers
