"""Retention: the sender's outbound ferries and the receiver's archive.

A package the receiver would refuse as expired is of no use in the ferry any more; left there it
only fills the gateway or the medium. Pruning removes, from this side's own outbound ferries,
exactly the package files this side wrote (known by name in its outbox records) whose lifetime
ended longer ago than the allowed clock skew, so that a receiver whose clock is behind ours still
sees nothing go that it might accept. Files this side cannot vouch for are left alone. The
private outbox copies stay (they are this side's record of what it sent).

On the receiving side, the archive (:mod:`exchange.archive`) keeps each verified package whose
attachments were stored, and records point into it. A package refused after it was verified, or
whose apply was rolled back, leaves an archived file nothing refers to. Pruning removes those,
once they have not been used for a package lifetime: an import in progress may have archived a
package whose records are not committed yet, and a package received again marks its file used.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from common.audit.services import record
from exchange import archive, conf, ferry
from exchange.errors import ExchangeError
from exchange.models import OutboundPackage, ReceivedRecord

log = logging.getLogger(__name__)


@dataclass
class PruneReport:
    removed: list[tuple[str, str]] = field(default_factory=list)  # channel, file name
    kept: int = 0
    archive_removed: list[str] = field(default_factory=list)  # archive names
    archive_kept: int = 0


def _expired_names(channel: str, names: list[str], cutoff: datetime) -> set[str]:
    expired = set()
    for start in range(0, len(names), 500):
        expired.update(OutboundPackage.objects.filter(channel=channel, file_name__in=names[start:start + 500],
                                                      expires_at__lte=cutoff).values_list("file_name", flat=True))
    return expired


def prune_channel(channel: str, report: PruneReport, *, now: datetime | None = None, dry_run: bool = False,
                  actor=None) -> None:
    if channel not in conf.outbound():
        raise ExchangeError(f"{channel} is not an outbound channel of the {conf.side()}")
    now = now or timezone.now()
    directory = conf.ferry_dir(channel)
    entries = [e for e in ferry.scan(directory) if e.regular and e.channel == channel]
    expired = _expired_names(channel, [e.name for e in entries], now - conf.limits().clock_skew)
    removed = []
    for entry in entries:
        if entry.name not in expired:
            report.kept += 1
            continue
        if not dry_run:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
        removed.append(entry.name)
    if not dry_run:
        removed += _stale_partial_files(directory, now)
    report.removed.extend((channel, name) for name in removed)
    if removed and not dry_run:
        record("exchange.prune", detail={"channel": channel, "removed": len(removed), "files": removed[:100]},
               actor=actor, actor_name="exchange")
        log.info("exchange: pruned %d expired package(s) from the %s ferry", len(removed), channel)


def _stale_partial_files(directory, now: datetime) -> list[str]:
    """Hidden temporary files of writes that never finished (a crash), older than a package lifetime."""
    limit = time.time() - conf.package_lifetime().total_seconds()
    out = []
    try:
        it = os.scandir(directory)
    except FileNotFoundError:
        return out
    with it:
        for de in it:
            if de.name.startswith(".") and de.name.endswith(".part") and de.is_file(follow_symlinks=False):
                if de.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(de.path)
                    out.append(de.name)
    return out


def _archive_references() -> set[str]:
    referenced = set()
    rows = ReceivedRecord.objects.order_by().values_list("attachments", flat=True)
    for attachments in rows.iterator(chunk_size=2000):
        referenced.update(a["archive"] for a in attachments or () if isinstance(a, dict) and "archive" in a)
    return referenced


def prune_archive(report: PruneReport, *, now: datetime | None = None, dry_run: bool = False, actor=None) -> None:
    """Remove archived packages no record refers to that have not been used for a package lifetime."""
    cutoff = (now or timezone.now()) - conf.package_lifetime()
    candidates = archive.unused_since(cutoff.timestamp())
    if not candidates:
        return
    referenced = _archive_references()
    removed = []
    for name, path in sorted(candidates.items()):
        if name in referenced:
            report.archive_kept += 1
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed.append(name)
    report.archive_removed.extend(removed)
    if removed and not dry_run:
        record("exchange.prune_archive", detail={"removed": len(removed), "files": removed[:100]},
               actor=actor, actor_name="exchange")
        log.info("exchange: pruned %d archived package(s) nothing refers to", len(removed))


def prune(channels: list[str] | None = None, *, now: datetime | None = None, dry_run: bool = False,
          actor=None) -> PruneReport:
    """Prune ``channels`` (every outbound one by default) and, unless channels are named, the archive."""
    report = PruneReport()
    for channel in channels or conf.outbound():
        prune_channel(channel, report, now=now, dry_run=dry_run, actor=actor)
    if not channels:
        prune_archive(report, now=now, dry_run=dry_run, actor=actor)
    return report
