"""Sending: queue messages, pack and sign them into packages, write them into the ferries."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid as uuid_lib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from common.audit.services import record
from exchange import canonical, conf, ferry, mediatypes, registry
from exchange.channels import get as get_channel
from exchange.errors import ExchangeError, MessageRefused, PackageRejected
from exchange.models import OutboundItem, OutboundPackage
from exchange.package import OutFile, OutItem, build_package
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
        data = a.data if a.data is not None else Path(a.path).read_bytes()
        declared = a.media_type or mediatypes.detect(data[:8192])
        problem = mediatypes.check(declared, data[:8192]) if declared else f"the content of {a.name!r} is not allowed"
        if problem:
            raise MessageRefused("media_type", problem)
        spool = spool_dir() / uuid_lib.uuid4().hex
        spool.write_bytes(data)
        stored.append({"name": a.name[:255], "media_type": declared, "spool": spool.name, "size": len(data)})
    return OutboundItem.objects.create(channel=channel, message_type=message_type, version=version,
                                       classification=classification, body=body, attachments=stored, ref=ref[:200])


def _recheck(item: OutboundItem) -> str | None:
    try:
        registry.check_message(item.message_type, item.version, item.body, item.channel, item.classification,
                               len(item.attachments))
    except PackageRejected as exc:
        return exc.message
    return None


def _out_item(position: int, item: OutboundItem) -> OutItem:
    base = f"items/{position:06d}"
    files = [OutFile(f"{base}/message.json", "message", mediatypes.JSON,
                     data=canonical.dumps(item.body))]
    for n, a in enumerate(item.attachments, start=1):
        files.append(OutFile(f"{base}/file-{n:02d}", "attachment", a["media_type"], src=spool_dir() / a["spool"],
                             name=a["name"]))
    return OutItem(item.message_type, item.version, item.classification, files, item.ref)


def _take_items(channel: str) -> list[OutboundItem]:
    """The next items for one package; refuse (and audit) any that no longer pass the checks."""
    budget, chosen = conf.max_payload_per_package(), []
    for item in OutboundItem.objects.select_for_update().filter(channel=channel, status=OutboundItem.PENDING)[
        : conf.max_items_per_package()
    ]:
        problem = _recheck(item)
        if problem:
            item.status, item.refused_reason = OutboundItem.REFUSED, problem
            item.save(update_fields=["status", "refused_reason"])
            record("exchange.refused", item, detail={"channel": channel, "type": item.message_type,
                                                      "reason": problem}, actor_name="exchange")
            continue
        size = sum(a.get("size", 0) for a in item.attachments) + 4096
        if chosen and size > budget:
            break
        budget -= size
        chosen.append(item)
        if item.message_type == "exchange.key_rotation":
            break  # the next package is signed with the new key
    return chosen


def _pack_one(channel: str) -> OutboundPackage | None:
    ch = get_channel(channel)
    with transaction.atomic():
        state = channel_state(channel, lock=True)
        items = _take_items(channel)
        if not items:
            return None
        rcpts = recipients(channel) if ch.encrypted else None
        if ch.encrypted and not rcpts:
            raise ExchangeError(f"no recipient key for {channel}: trust the other party's key first")
        signer = signing_fingerprint(state)
        now = timezone.now().replace(microsecond=0)
        seq, pkg_uuid = state.last_sent_seq + 1, str(uuid_lib.uuid4())
        with tempfile.TemporaryDirectory(dir=conf.state_dir()) as work:
            built = build_package(outbox_dir(channel), channel=channel, sender_fpr=signer,
                                  sender_name=conf.side_name(), seq=seq, uuid=pkg_uuid,
                                  prev=state.last_sent_manifest_sha256, created=now,
                                  expires=now + conf.package_lifetime(),
                                  items=[_out_item(i, item) for i, item in enumerate(items)], gpg=keyring(),
                                  recipients=rcpts, workdir=Path(work))
        package = OutboundPackage.objects.create(
            channel=channel, seq=seq, uuid=pkg_uuid, file_name=built.file_name,
            manifest_sha256=built.manifest_sha256, package_sha256=built.package_sha256, size=built.size,
            item_count=len(items), signer=signer, created_at=now, expires_at=now + conf.package_lifetime())
        OutboundItem.objects.filter(pk__in=[i.pk for i in items]).update(status=OutboundItem.PACKED, package=package)
        state.last_sent_seq, state.last_sent_manifest_sha256 = seq, built.manifest_sha256
        state.last_export_at = now
        last = items[-1]
        if last.message_type == "exchange.key_rotation":
            state.signing_fingerprint = last.body["new_fingerprint"]
        state.save()
        record("exchange.export", package, detail={
            "channel": channel, "seq": seq, "uuid": pkg_uuid, "manifest_sha256": built.manifest_sha256,
            "package_sha256": built.package_sha256, "signer": signer, "items": len(items)}, actor_name="exchange")
        spools = [a["spool"] for i in items for a in i.attachments]
        transaction.on_commit(lambda: _drop_spools(spools))
    return package


def _drop_spools(names: list[str]) -> None:
    for name in names:
        (spool_dir() / name).unlink(missing_ok=True)


def write_to_ferry(package: OutboundPackage) -> None:
    source = outbox_dir(package.channel) / package.file_name
    ferry.write_atomic(conf.ferry_dir(package.channel), package.file_name, source)
    OutboundPackage.objects.filter(pk=package.pk).update(written_at=timezone.now(),
                                                         write_count=package.write_count + 1)


def export_channel(channel: str, progress: Progress = None) -> list[OutboundPackage]:
    """Pack every pending message of ``channel`` and write every unwritten package into its ferry."""
    total = OutboundItem.objects.filter(channel=channel, status=OutboundItem.PENDING).count()
    done, packages = 0, []
    for package in OutboundPackage.objects.filter(channel=channel, written_at__isnull=True).order_by("seq"):
        write_to_ferry(package)
        packages.append(package)
    while True:
        package = _pack_one(channel)
        if package is None:
            break
        write_to_ferry(package)
        packages.append(package)
        done += package.item_count
        if progress:
            progress(min(done, total), total)
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
