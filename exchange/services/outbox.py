"""Sending: queue messages, pack and sign them into packages, write them into the ferries."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import uuid as uuid_lib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from common.audit.services import event as audit_event
from common.audit.services import record, record_many
from exchange import canonical, conf, ferry, mediatypes, registry
from exchange.agentsign import BatchSigner
from exchange.channels import get as get_channel
from exchange.errors import ExchangeError, MessageRefused, PackageRejected
from exchange.models import OutboundItem, OutboundPackage
from exchange.package import OutFile, OutItem, PreparedPackage, prepare_package, write_package
from exchange.services import runs
from exchange.services.keys import channel_state, keyring, recipients, signing_fingerprint

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None] | None


@dataclass
class Attachment:
    """A file to send with a message: ``data`` or ``path``; the media type is judged by content."""

    name: str
    data: bytes | None = None
    path: str | Path | None = None
    media_type: str | None = None
    # The sender keeps ``path`` unchanged for good (e.g. sealed bid parts): the spool takes a hard
    # link to it instead of a copy, and the file is read once, in chunks, for its digest.
    link: bool = False


def outbox_dir(channel: str) -> Path:
    return conf.state_dir() / "outbox" / channel


def spool_dir() -> Path:
    path = conf.state_dir() / "spool"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _refuse(exc: PackageRejected) -> MessageRefused:
    return MessageRefused(exc.code, exc.message)


def enqueue(channel: str, message_type: str, version: int, body: dict, *, classification: str = "public",
            attachments: list[Attachment] = (), ref: str = "", actor=None) -> OutboundItem:
    """Queue one message for ``channel``. Checks schema and classification now and again at export."""
    if channel not in conf.outbound():
        raise MessageRefused("channel", f"{channel} is not an outbound channel of the {conf.side()}")
    try:
        registry.check_message(message_type, version, body, channel, classification, len(attachments))
    except PackageRejected as exc:
        record("exchange.refused", detail={"channel": channel, "type": message_type, "reason": exc.message,
                                           "code": exc.code, "ref": ref}, actor=actor, actor_name="exchange")
        raise _refuse(exc) from None
    stored = []
    for a in attachments:
        if a.link and a.data is None:
            stored.append(_spool_link(a))
            continue
        data = a.data if a.data is not None else Path(a.path).read_bytes()
        declared = _checked_type(a, data[:8192])
        spool = spool_dir() / uuid_lib.uuid4().hex
        spool.write_bytes(data)
        stored.append({"name": a.name[:255], "media_type": declared, "spool": spool.name, "size": len(data),
                       "sha256": hashlib.sha256(data).hexdigest()})
    return OutboundItem.objects.create(channel=channel, message_type=message_type, version=version,
                                       classification=classification, body=body, attachments=stored, ref=ref[:200])


def _checked_type(a: Attachment, head: bytes) -> str:
    declared = a.media_type or mediatypes.detect(head)
    problem = mediatypes.check(declared, head) if declared else f"the content of {a.name!r} is not allowed"
    if problem:
        raise MessageRefused("media_type", problem)
    return declared


def _spool_link(a: Attachment) -> dict:
    src = Path(a.path)
    with src.open("rb") as fh:
        head = fh.read(8192)
        declared = _checked_type(a, head)
        digest = hashlib.sha256(head)
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
        size = fh.tell()
    spool = spool_dir() / uuid_lib.uuid4().hex
    try:
        os.link(src, spool)
    except OSError:  # another file system: a copy it is (export checks the bytes against the digest)
        shutil.copyfile(src, spool)
    return {"name": a.name[:255], "media_type": declared, "spool": spool.name, "size": size,
            "sha256": digest.hexdigest()}


def _recheck(item: OutboundItem) -> str | None:
    try:
        registry.check_message(item.message_type, item.version, item.body, item.channel, item.classification,
                               len(item.attachments))
    except PackageRejected as exc:
        return exc.message
    return None


def _out_item(position: int, item: OutboundItem, spool: Path) -> OutItem:
    base = f"items/{position:06d}"
    files = [OutFile(f"{base}/message.json", "message", mediatypes.JSON,
                     data=canonical.dumps(item.body))]
    for n, a in enumerate(item.attachments, start=1):
        # The digest taken when the file was spooled; write_package checks the bytes against it.
        files.append(OutFile(f"{base}/file-{n:02d}", "attachment", a["media_type"], src=spool / a["spool"],
                             name=a["name"], size=a.get("size") if "sha256" in a else None, sha256=a.get("sha256")))
    return OutItem(item.message_type, item.version, item.classification, files, item.ref)


def _candidates(channel: str) -> list[OutboundItem]:
    """The pending items one export batch may take, locked, oldest first (one query per batch)."""
    limit = conf.max_items_per_package() * conf.export_batch()
    return list(OutboundItem.objects.select_for_update().filter(
        channel=channel, status=OutboundItem.PENDING).order_by("pk")[:limit])


def _take_items(channel: str, pending: list[OutboundItem], events: list[dict]) -> list[OutboundItem]:
    """The next items for one package, taken from the front of ``pending``; refuse (and audit) any
    that no longer pass the checks."""
    budget, chosen = conf.max_payload_per_package(), []
    while pending and len(chosen) < conf.max_items_per_package():
        item = pending[0]
        problem = _recheck(item)
        if problem:
            pending.pop(0)
            item.status, item.refused_reason = OutboundItem.REFUSED, problem
            item.save(update_fields=["status", "refused_reason"])
            events.append(audit_event("exchange.refused", item, detail={
                "channel": channel, "type": item.message_type, "reason": problem}, actor_name="exchange"))
            continue
        size = sum(a.get("size", 0) for a in item.attachments) + 4096
        if chosen and size > budget:
            break
        budget -= size
        chosen.append(pending.pop(0))
        if item.message_type == "exchange.key_rotation":
            break  # the next package is signed with the new key
    return chosen


def _sign_and_write(signatures: BatchSigner, prepared: PreparedPackage, dest: Path):
    """Worker-thread half of packing: the signature, then the file (flushed to disk)."""
    return write_package(prepared, signatures.sign(prepared.manifest_bytes, prepared.sender_fpr), dest)


def _pack_batch(channel: str, pool: ThreadPoolExecutor, signatures: BatchSigner) -> list[OutboundPackage]:
    """Pack, sign and write up to ``conf.export_batch()`` packages in one database transaction.

    Manifests are built here in order (each names the hash of the one before); the signatures
    and files are made in parallel by ``pool``. The packages, the items and the channel's
    last sent number commit together or not at all; nothing reaches the ferry before that.
    """
    ch = get_channel(channel)
    gpg, spool, dest = keyring(), spool_dir(), outbox_dir(channel)
    jobs: list[tuple] = []
    work = Path(tempfile.mkdtemp(dir=conf.state_dir())) if ch.encrypted else None
    try:
        with transaction.atomic():
            state = channel_state(channel, lock=True)
            budget = conf.max_payload_per_package()
            pending, events = _candidates(channel), []
            while len(jobs) < conf.export_batch() and budget > 0:
                items = _take_items(channel, pending, events)
                if not items:
                    break
                rcpts = recipients(channel) if ch.encrypted else None
                if ch.encrypted and not rcpts:
                    raise ExchangeError(f"no recipient key for {channel}: trust the other party's key first")
                signer = signing_fingerprint(state)
                now = timezone.now().replace(microsecond=0)
                seq, pkg_uuid = state.last_sent_seq + 1, str(uuid_lib.uuid4())
                prepared = prepare_package(
                    channel=channel, sender_fpr=signer, sender_name=conf.side_name(), seq=seq, uuid=pkg_uuid,
                    prev=state.last_sent_manifest_sha256, created=now, expires=now + conf.package_lifetime(),
                    items=[_out_item(i, item, spool) for i, item in enumerate(items)], gpg=gpg, recipients=rcpts,
                    workdir=Path(tempfile.mkdtemp(dir=work)) if work else None)  # one per package: files differ
                jobs.append((items, prepared, now, signer, pool.submit(_sign_and_write, signatures, prepared, dest)))
                budget -= sum(a.get("size", 0) for item in items for a in item.attachments)
                state.last_sent_seq, state.last_sent_manifest_sha256 = seq, prepared.manifest_sha256
                state.last_export_at = now
                if items[-1].message_type == "exchange.key_rotation":
                    state.signing_fingerprint = items[-1].body["new_fingerprint"]
            packages = _record_packages(channel, jobs, events)
            record_many(events)
            if packages:
                # Each copy was flushed before its rename; one flush of the directory makes the
                # names durable too, before the commit that says these packages exist.
                ferry.sync_dir(dest)
                state.save()
                spools = [spool / a["spool"] for items, *_ in jobs for i in items for a in i.attachments]
                transaction.on_commit(lambda: _drop_spools_later(pool, spools))
    except BaseException:
        wait([job[-1] for job in jobs])
        for _, prepared, *_ in jobs:  # written but never committed: nobody may send them
            (dest / prepared.file_name).unlink(missing_ok=True)
        raise
    finally:
        if work is not None:
            wait([job[-1] for job in jobs])
            shutil.rmtree(work, ignore_errors=True)
    return packages


def _record_packages(channel: str, jobs: list[tuple], events: list[dict]) -> list[OutboundPackage]:
    """The rows of a batch's packages once their files are written: one INSERT for the packages
    and one UPDATE for their items (a statement per package was most of the packing thread's
    time, which every other step of an export waits for)."""
    packages, members = [], []
    for items, prepared, now, signer, future in jobs:
        built = future.result()
        packages.append(OutboundPackage(
            channel=channel, seq=prepared.manifest["seq"], uuid=prepared.manifest["uuid"], file_name=built.file_name,
            manifest_sha256=built.manifest_sha256, package_sha256=built.package_sha256, size=built.size,
            item_count=len(items), signer=signer, created_at=now, expires_at=now + conf.package_lifetime()))
        members.append(items)
    if not packages:
        return []
    OutboundPackage.objects.bulk_create(packages)
    if any(p.pk is None for p in packages):  # a database that does not return new keys
        pks = dict(OutboundPackage.objects.filter(uuid__in=[p.uuid for p in packages]).values_list("uuid", "pk"))
        for package in packages:
            package.pk = pks[uuid_lib.UUID(str(package.uuid))]
    _mark_packed(packages, members)
    for package, items in zip(packages, members, strict=True):
        events.append(audit_event("exchange.export", package, detail={
            "channel": channel, "seq": package.seq, "uuid": str(package.uuid),
            "manifest_sha256": package.manifest_sha256, "package_sha256": package.package_sha256,
            "signer": package.signer, "items": len(items)}, actor_name="exchange"))
    return packages


def _mark_packed(packages: list[OutboundPackage], members: list[list[OutboundItem]]) -> None:
    """Each item's package and status: one statement run once per item (``executemany``: a
    prepared statement on SQLite, a pipeline on PostgreSQL). An UPDATE with a ``CASE`` over the
    batch's packages took the packing thread longer to build than the database took to run."""
    meta = OutboundItem._meta
    connection = connections[router.db_for_write(OutboundItem)]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET {qn(meta.get_field('status').column)} = %s, "  # noqa: S608 (names only)
           f"{qn(meta.get_field('package').column)} = %s WHERE {qn(meta.pk.column)} = %s")
    rows = [(OutboundItem.PACKED, package.pk, item.pk)
            for package, items in zip(packages, members, strict=True) for item in items]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _drop_spools_later(pool: ThreadPoolExecutor, paths: list[Path]) -> None:
    """Removing the spooled copies is cleanup (a file system call each): off the packing thread,
    unless the export is over (its caller's own transaction committed after it)."""
    try:
        pool.submit(_drop_spools, paths)
    except RuntimeError:
        _drop_spools(paths)


def _drop_spools(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def write_to_ferry(package: OutboundPackage) -> None:
    source = outbox_dir(package.channel) / package.file_name
    ferry.write_atomic(conf.ferry_dir(package.channel), package.file_name, source)
    OutboundPackage.objects.filter(pk=package.pk).update(written_at=timezone.now(),
                                                         write_count=package.write_count + 1)


def _stage_all(packages: list[OutboundPackage], pool: ThreadPoolExecutor) -> list[tuple]:
    """Start copying committed packages into their ferry (hidden names, flushed) in parallel."""
    return [(p, pool.submit(ferry.stage, conf.ferry_dir(p.channel), p.file_name, outbox_dir(p.channel) / p.file_name))
            for p in packages]


def _publish_all(staged: list[tuple]) -> None:
    """Give the staged copies their final names in sequence order, then record them as written."""
    done, directories = [], set()
    try:
        for package, future in staged:
            ferry.publish(future.result(), conf.ferry_dir(package.channel), package.file_name)
            done.append(package.pk)
            directories.add(conf.ferry_dir(package.channel))
    finally:
        wait([future for _, future in staged])
        for _, future in staged:
            if future.exception() is None:
                future.result().unlink(missing_ok=True)  # left over only when an earlier one failed
        for directory in directories:  # the renames are durable before they are recorded as written
            ferry.sync_dir(directory)
        if done:
            OutboundPackage.objects.filter(pk__in=done).update(written_at=timezone.now(),
                                                               write_count=F("write_count") + 1)


def export_channel(channel: str, progress: Progress = None) -> list[OutboundPackage]:
    """Pack every pending message of ``channel`` and write every unwritten package into its ferry.

    While one batch of packages is being copied into the ferry, the next is signed and written.
    """
    total = OutboundItem.objects.filter(channel=channel, status=OutboundItem.PENDING).count()
    done, packages = 0, []
    signer = BatchSigner(keyring())
    with runs.short_gil_switch(), contextlib.closing(signer), ThreadPoolExecutor(
            max_workers=conf.export_workers(), thread_name_prefix="exchange-export") as pool:
        unwritten = list(OutboundPackage.objects.filter(channel=channel, written_at__isnull=True).order_by("seq"))
        staged = _stage_all(unwritten, pool)
        packages.extend(unwritten)
        try:
            while True:
                batch = _pack_batch(channel, pool, signer)
                previous, staged = staged, []
                _publish_all(previous)
                if not batch:
                    break
                staged = _stage_all(batch, pool)
                packages.extend(batch)
                done += sum(p.item_count for p in batch)
                if progress:
                    progress(min(done, total), total)
        finally:
            _publish_all(staged)
    return packages


def export_all(progress: Progress = None) -> dict[str, list[OutboundPackage]]:
    return {channel: export_channel(channel, progress) for channel in conf.outbound()}


def resend(channel: str, first: int, last: int, progress: Progress = None, actor=None) -> tuple[int, list[str]]:
    """Write packages ``first``..``last`` of ``channel`` into the ferry again, byte for byte."""
    if channel not in conf.outbound():
        raise ExchangeError(f"{channel} is not an outbound channel of the {conf.side()}")
    if first < 1 or last < first:
        raise ExchangeError("give a range FROM <= TO, starting at 1")
    packages = list(OutboundPackage.objects.filter(channel=channel, seq__gte=first, seq__lte=last).order_by("seq"))
    problems = []
    found = {p.seq for p in packages}
    missing = [s for s in range(first, min(last, first + 100000) + 1) if s not in found]
    if missing:
        problems.append(f"never sent: {missing[0]}..{missing[-1]} ({len(missing)} packages)")
    written, now = 0, timezone.now()
    for n, package in enumerate(packages, start=1):
        source = outbox_dir(channel) / package.file_name
        if not source.exists() or _sha256(source) != package.package_sha256:
            problems.append(f"{package.seq}: the outbox copy is missing or damaged")
            continue
        if package.expires_at <= now:
            problems.append(f"{package.seq}: expired on {package.expires_at:%Y-%m-%d}; the receiver would refuse it")
            continue
        write_to_ferry(package)
        written += 1
        if progress:
            progress(n, len(packages))
    record("exchange.resend", detail={"channel": channel, "from": first, "to": last, "written": written,
                                      "problems": problems[:20]}, actor=actor, actor_name="exchange")
    return written, problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def queue_heartbeats() -> list[OutboundItem]:
    """One heartbeat per heartbeat channel, unless one is already waiting."""
    out = []
    for channel in conf.outbound():
        if channel not in conf.heartbeat_channels():
            continue
        if OutboundItem.objects.filter(channel=channel, status=OutboundItem.PENDING,
                                       message_type="exchange.heartbeat").exists():
            continue
        history = [{"seq": p.seq, "uuid": str(p.uuid), "manifest_sha256": p.manifest_sha256}
                   for p in OutboundPackage.objects.filter(channel=channel).order_by("-seq")[:20]]
        body = {"sent_at": timezone.now().isoformat(timespec="seconds"), "history": history[::-1]}
        out.append(enqueue(channel, "exchange.heartbeat", 1, body))
    return out
