"""Receiving: read the inbound ferries, verify, hold until in order, apply, or quarantine.

Bad input never raises out of here: a package that fails any check is moved to quarantine with
its reason, audited, and its sequence number shows as a gap. Later packages are held (not
applied out of order, not lost) until a valid copy of the missing one arrives.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from common.audit.services import deferred, record, record_many
from exchange import archive, conf, ferry
from exchange.errors import PackageRejected
from exchange.manifest import PACKAGE_NAME_RE
from exchange.models import ChannelState, InboxPackage, Quarantine, Receipt
from exchange.package import VerifiedPackage, verify_package
from exchange.services import runs
from exchange.services.applying import STATE_FIELDS, apply_held, apply_in_transaction, audit_detail
from exchange.services.keys import channel_state, keyring, pinned
from exchange.services.verifying import (
    ENCRYPTED,
    Result,
    Verifier,
    _mkdir,
    _workroot,
    check_semantics,
    cleanup,
    inbox_dir,
    new_workdir,
    verify,
    verify_entry,
)

log = logging.getLogger(__name__)
_KEY_CODES = {"untrusted_signer", "key_retired", "signature"}


@dataclass
class ImportReport:
    applied: list[tuple[str, int]] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    held: list[tuple[str, int]] = field(default_factory=list)
    rejected: list[tuple[str, str, str, str]] = field(default_factory=list)  # channel, file, code, message

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass
class _Run:
    """The receipts and audit events (the handlers' too) of the packages accepted so far in a run
    (one commit): written together before it commits (an INSERT each, one lock of the audit chain),
    and before anything else of the run writes receipts or audit events, so the order stays as it
    happened. A package whose savepoint rolled back never adds any."""

    receipts: list[Receipt] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    # The channel's row, locked by the run's transaction, as the last package accepted left it: the
    # next one needs no query for it, and it is saved once, here (``dirty``), before the run
    # commits. Forgotten (after saving) whenever anything else may read or change the row.
    state: ChannelState | None = None
    dirty: bool = False
    # The sequence numbers of the channel's unresolved quarantine entries, read once per run.
    quarantined: set[int] | None = None
    # The channel's pinned keys, read once per run and again after a key rotation was applied.
    pins: dict | None = None

    def flush(self) -> None:
        if self.state is not None and self.dirty:
            self.state.save(update_fields=STATE_FIELDS)
        self.state, self.dirty, self.quarantined, self.pins = None, False, None, None
        if self.receipts:
            Receipt.objects.bulk_create(self.receipts)
            self.receipts = []
        if self.events:
            record_many(self.events)
            self.events = []


def quarantine_dir(channel: str) -> Path:
    return conf.state_dir() / "quarantine" / channel


def _write_private(data: bytes, target: Path) -> None:
    """Write an in-memory private copy to ``target`` (temporary name, then rename: never a partial file)."""
    tmp = _mkdir(target.parent) / f".{target.name}.part"
    tmp.write_bytes(data)
    tmp.replace(target)


def _quarantine(channel: str, file_name: str, error: PackageRejected, copy: Path | None, *, vp=None,
                package_sha256: str = "", entry: ferry.Entry | None = None, report: ImportReport,
                data: bytes | None = None, archived: Path | None = None) -> None:
    match = PACKAGE_NAME_RE.match(file_name)
    claimed = vp.seq if vp else (int(match["seq"]) if match else None)
    stored = ""
    target = _mkdir(quarantine_dir(channel)) / f"{timezone.now():%Y%m%dT%H%M%S%f}-{file_name}"
    if copy and copy.exists():
        copy.replace(target)
        stored = str(target)
    elif data is not None and package_sha256:  # read completely: keep it for the operator
        _write_private(data, target)
        stored = str(target)
    elif archived is not None:
        archive.keep_copy(archived, target)
        stored = str(target)
    with transaction.atomic():
        Quarantine.objects.create(
            channel=channel, file_name=file_name, claimed_seq=claimed,
            uuid=str(vp.uuid) if vp else (match["uuid"] if match else ""), code=error.code,
            reason=error.message[:2000], signer=vp.signer if vp else "",
            manifest_sha256=vp.manifest_sha256 if vp else "", package_sha256=package_sha256, stored_path=stored)
        if entry is not None:
            Receipt.objects.create(channel=channel, file_name=file_name, size=entry.size, mtime_ns=entry.mtime_ns,
                                   package_sha256=package_sha256, outcome="quarantined", seq=claimed,
                                   uuid=str(vp.uuid) if vp else "")
        else:
            Receipt.objects.filter(channel=channel, file_name=file_name, outcome="held").update(outcome="quarantined")
        if vp is not None:  # a verified package that was then refused still counts as seen
            ChannelState.objects.filter(channel=channel, highest_seen_seq__lt=vp.seq).update(highest_seen_seq=vp.seq)
        record("exchange.reject", detail=audit_detail(channel, file_name, error, vp, package_sha256, claimed),
               actor_name="exchange")
    log.warning("exchange: quarantined %s (%s: %s)", file_name, error.code, error.message)
    report.rejected.append((channel, file_name, error.code, error.message))


def _accept(channel: str, r: Result, report: ImportReport, run: _Run) -> str:
    """Record a verified package: applied at once when it is the next in order, else held (to
    apply in order) or a duplicate; replays are rejected.

    Accepting and applying the next package is one transaction: the package row, its receipt,
    every item, the high-water mark and the audit record commit together or not at all (the
    receipt and the audit record are written with those of the rest of the run: ``run``).
    """
    state = run.state or ChannelState.objects.select_for_update().get(channel=channel)  # made by import_channel
    if run.quarantined is None:
        run.quarantined = set(Quarantine.objects.filter(channel=channel, resolved_at__isnull=True)
                              .values_list("claimed_seq", flat=True))
    try:
        return _accept_rows(channel, r, report, run, state)
    finally:
        run.state, run.dirty = state, True  # saved by ``run.flush()`` before anything else reads the row


def _accept_rows(channel: str, r: Result, report: ImportReport, run: _Run, state: ChannelState) -> str:
    vp, entry, receipts = r.vp, r.entry, []
    before = {name: getattr(state, name) for name in STATE_FIELDS}
    try:
        with deferred() as events, transaction.atomic():
            now = timezone.now()
            # Every package row was made here, raising the highest number seen in the same transaction:
            # above that number there is nothing to look up.
            seen_before = vp.seq <= state.highest_seen_seq
            state.highest_seen_seq = max(state.highest_seen_seq, vp.seq)
            state.last_received_at = now
            if any(item.type == "exchange.heartbeat" for item in vp.items):
                state.last_heartbeat_at = max(filter(None, [state.last_heartbeat_at, min(vp.created, now)]))
            existing = InboxPackage.objects.filter(channel=channel, seq=vp.seq).first() if seen_before else None
            if existing is not None or vp.seq <= state.last_applied_seq:
                if existing and str(existing.uuid) == vp.uuid and existing.manifest_sha256 == vp.manifest_sha256:
                    if r.copy:
                        r.copy.unlink(missing_ok=True)
                    run.receipts.append(Receipt(channel=channel, file_name=entry.name, size=entry.size,
                                                mtime_ns=entry.mtime_ns, package_sha256=r.package_sha256,
                                                outcome="duplicate", seq=vp.seq, uuid=vp.uuid))
                    record("exchange.duplicate", existing,
                           detail=audit_detail(channel, entry.name, None, vp, r.package_sha256), actor_name="exchange")
                    run.events.extend(events)
                    report.duplicates.append((channel, vp.seq))
                    return "duplicate"
                code = "conflict" if existing and existing.state == InboxPackage.HELD else "replay"
                raise PackageRejected(code, f"sequence {vp.seq} is already taken by another package")
            in_turn = vp.seq == state.last_applied_seq + 1
            row = InboxPackage.objects.create(
                channel=channel, seq=vp.seq, uuid=vp.uuid, file_name=vp.file_name, manifest_sha256=vp.manifest_sha256,
                package_sha256=r.package_sha256, signer=vp.signer, item_count=len(vp.items), created_at=vp.created,
                state=InboxPackage.APPLIED if in_turn else InboxPackage.HELD, applied_at=now if in_turn else None)
            receipts.append(Receipt(channel=channel, file_name=entry.name, size=entry.size, mtime_ns=entry.mtime_ns,
                                    package_sha256=r.package_sha256, outcome="applied" if in_turn else "held",
                                    seq=vp.seq, uuid=vp.uuid))
            if in_turn:
                if run.pins is None:
                    run.pins = pinned(channel)
                apply_in_transaction(channel, state, row, vp, r.bodies, now, save_state=False,
                                     resolve_quarantine=vp.seq in run.quarantined, pins=run.pins)
                if any(item.type == "exchange.key_rotation" for item in vp.items):
                    run.pins = None
    except BaseException:
        # The savepoint rolled this package's rows back; the state in memory goes back with them.
        for name, value in before.items():
            setattr(state, name, value)
        raise
    run.receipts.extend(receipts)
    run.events.extend(events)
    if in_turn:
        report.applied.append((channel, vp.seq))
        if r.copy:
            r.copy.unlink(missing_ok=True)
        return "applied"
    kept = inbox_dir(channel) / vp.file_name
    if r.copy:
        r.copy.replace(kept)
    elif r.data is not None:
        _write_private(r.data, kept)
    else:
        archive.keep_copy(r.archived, kept, link=True)
    for item in vp.items:
        for a in item.attachments:
            if a.data is not None or a.source == r.copy:  # the package's own bytes, now in ``kept``
                a.source, a.data = kept, None
    r.copy, r.data = kept, None
    return "held"


def _quarantine_held(channel: str, row: InboxPackage, error: PackageRejected, vp, report: ImportReport) -> None:
    InboxPackage.objects.filter(pk=row.pk, state=InboxPackage.HELD).delete()
    _quarantine(channel, row.file_name, error, inbox_dir(channel) / row.file_name, vp=vp,
                package_sha256=row.package_sha256, report=report)


def apply_ready(channel: str, cache: dict[int, Result], report: ImportReport) -> None:
    """Apply held packages of ``channel`` for as long as the next sequence number is there."""
    channel_state(channel)
    while True:
        last = ChannelState.objects.filter(channel=channel).values_list("last_applied_seq", flat=True)[0]
        row = InboxPackage.objects.filter(channel=channel, seq=last + 1, state=InboxPackage.HELD).first()
        if row is None:
            return
        result = cache.pop(row.seq, None)
        vp = result.vp if result and result.vp and result.vp.manifest_sha256 == row.manifest_sha256 else None
        bodies = result.bodies if vp is not None else None
        if vp is None:
            cleanup(result)
            result = Result(ferry.Entry(row.file_name, channel, row.seq, Path(), 0, 0, True))
            result.workdir = new_workdir(channel)
            try:  # freshness was judged on arrival; the held copy must still be the verified one
                vp = verify(inbox_dir(channel) / row.file_name, channel, pinned(channel), row.file_name,
                             result.workdir, fresh=False)
                if vp.manifest_sha256 != row.manifest_sha256:
                    raise PackageRejected("file_hash", "the held copy is not the package that was verified")
            except PackageRejected as exc:
                _quarantine_held(channel, row, exc, None, report)
                cleanup(result)
                continue
        try:
            if apply_held(channel, row, vp, bodies):
                report.applied.append((channel, vp.seq))
                (inbox_dir(channel) / row.file_name).unlink(missing_ok=True)
        except PackageRejected as exc:
            _quarantine_held(channel, row, exc, vp, report)
        except DatabaseError:
            raise  # not the package's fault: leave it held and let the caller retry
        except Exception as exc:
            log.exception("applying %s failed", row.file_name)
            _quarantine_held(channel, row, PackageRejected("apply_failed", f"{type(exc).__name__}: {exc}"[:500]),
                             vp, report)
        finally:
            cleanup(result)


def _seen(channel: str, entries: list[ferry.Entry]) -> set[tuple[str, int, int]]:
    seen = set()
    names = [e.name for e in entries]
    for start in range(0, len(names), 500):
        seen.update(Receipt.objects.filter(channel=channel, file_name__in=names[start:start + 500])
                    .values_list("file_name", "size", "mtime_ns"))
    return seen


def import_channel(channel: str, report: ImportReport, progress=None) -> None:
    """Verify the new ferry files off this thread (see :mod:`exchange.services.verifying`) while
    this thread accepts and applies the verified ones strictly in order."""
    entries = ferry.scan(conf.ferry_dir(channel))
    seen = _seen(channel, entries)
    new = [e for e in entries if (e.name, e.size, e.mtime_ns) not in seen]
    keyring()
    channel_state(channel)
    keys = pinned(channel)
    cache: dict[int, Result] = {}
    done = 0
    held = InboxPackage.objects.filter(channel=channel, state=InboxPackage.HELD).exists()
    try:
        with runs.short_gil_switch(), Verifier(channel, len(new)) as verifier:
            if held:
                apply_ready(channel, cache, report)
            # Verified ahead against the keys pinned now; each package's signer is checked again
            # against the pins of the moment when it is applied (a rotation may come in between).
            results = verifier.map(new, keys)
            for first in results:
                # A run of packages commits once: each is still accepted and applied all or nothing
                # (a savepoint), and a crash loses the whole run, which is then read again. The run
                # begins with the first verified package and takes only packages verified already:
                # its transaction never waits for a verification (on SQLite it holds the write lock).
                with transaction.atomic():
                    written = _Run()
                    for result in _run_of(first, results, verifier):
                        if (result.error and result.error.code in _KEY_CODES
                                and (result.copy or result.data is not None) and pinned(channel) != keys):
                            keys = pinned(channel)  # a key rotation was applied meanwhile: check the same copy again
                            cleanup(result)
                            again = Result(result.entry, copy=result.copy, package_sha256=result.package_sha256,
                                           data=result.data)
                            result = verify_entry(result.entry, channel, keys, result=again, data=result.data)
                        outcome = _process(channel, result, cache, report, written)
                        held = held or outcome == "held"
                        done += 1
                        if progress:
                            progress(done, len(new))
                        if held and outcome in ("applied", "held"):
                            written.flush()  # a held package's receipt is there to be updated
                            apply_ready(channel, cache, report)
                    written.flush()
        if held:
            apply_ready(channel, cache, report)
    finally:
        for result in cache.values():
            cleanup(result)
    report.held.extend((channel, row.seq) for row in InboxPackage.objects.filter(channel=channel,
                                                                                 state=InboxPackage.HELD))


def _run_of(first: Result, results: Iterator[Result], verifier: Verifier) -> Iterator[Result]:
    """``first``, then up to ``conf.apply_run()`` - 1 more results that are ready."""
    yield first
    for _ in range(conf.apply_run() - 1):
        if not verifier.ready():
            return
        result = next(results, None)
        if result is None:
            return
        yield result


def _process(channel: str, result: Result, cache: dict, report: ImportReport, run: _Run) -> str:
    if result.error is not None:
        run.flush()
        _quarantine(channel, result.entry.name, result.error, result.copy, package_sha256=result.package_sha256,
                    entry=result.entry, vp=result.vp, report=report, data=result.data, archived=result.archived)
        cleanup(result)
        return "rejected"
    try:
        outcome = _accept(channel, result, report, run)
    except PackageRejected as exc:
        outcome, error = "rejected", exc
    except DatabaseError:
        cleanup(result)
        raise  # not the package's fault: it stays unread in the ferry and is tried again
    except Exception as exc:  # a handler failed: nothing of the package was applied
        log.exception("applying %s failed", result.entry.name)
        outcome, error = "rejected", PackageRejected("apply_failed", f"{type(exc).__name__}: {exc}"[:500])
    if outcome == "rejected":
        run.flush()
        _quarantine(channel, result.entry.name, error, result.copy, vp=result.vp,
                    package_sha256=result.package_sha256, entry=result.entry, report=report, data=result.data,
                    archived=result.archived)
        cleanup(result)
    elif outcome == "held":
        cache[result.vp.seq] = result
    else:
        cleanup(result)
    return outcome


def import_all(progress=None) -> ImportReport:
    report = ImportReport()
    for channel in conf.inbound():
        import_channel(channel, report, progress)
    return report


def verify_file(path: Path, channel: str | None = None) -> VerifiedPackage:
    """Verify one package file against this side's pins, without applying or recording anything."""
    channels = [channel] if channel else conf.inbound()
    keys = {c: pinned(c) for c in channels}
    with tempfile.TemporaryDirectory(dir=_workroot()) as work:
        vp = verify_package(Path(path), gpg=keyring(), pinned={c: set(k) for c, k in keys.items()},
                            encrypted_channels=ENCRYPTED, limits=conf.limits(), workdir=Path(work))
        check_semantics(vp, keys[vp.channel])
    return vp
