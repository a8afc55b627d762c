"""Exchange settings. Every value has a default here; override with ``JINCAI_EXCHANGE_*`` settings
or, for paths, the environment variables named below."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from exchange import channels


def _get(name: str, default):
    return getattr(settings, f"JINCAI_EXCHANGE_{name}", default)


def side() -> str:
    return settings.JINCAI_SIDE


def side_name() -> str:
    return {"intranet": "city-intranet", "extranet": "city-extranet"}.get(side(), side())


_made: set[Path] = set()


def state_dir() -> Path:
    """This side's private exchange state: outbox copies, inbox copies, quarantine, spool.

    Made (owner only) once per process; after that a stat says it is still there. An import asks
    for it for every attachment it stores."""
    path = Path(_get("STATE_DIR", settings.JINCAI_SIDE_DIR / "exchange"))
    if path not in _made or not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
        _made.add(path)
    return path


def gnupg_home() -> Path:
    return Path(os.environ.get("JINCAI_GNUPG_HOME") or _get("GNUPG_HOME", settings.JINCAI_SIDE_DIR / "gnupg"))


def passphrase_file() -> str | None:
    return os.environ.get("JINCAI_GPG_PASSPHRASE_FILE") or None


def ferry_dir(channel: str) -> Path:
    """``JINCAI_FERRY_TO_EXTRANET`` etc. override; default ``$JINCAI_DATA_DIR/ferry/<channel>``."""
    env = os.environ.get("JINCAI_FERRY_" + channel.upper().replace("-", "_"))
    if env:
        return Path(env)
    dirs = _get("FERRY_DIRS", {})
    if channel in dirs:
        return Path(dirs[channel])
    return Path(settings.JINCAI_DATA_DIR) / "ferry" / channel


def outbound() -> list[str]:
    return [c.name for c in channels.outbound(side())]


def inbound() -> list[str]:
    return [c.name for c in channels.inbound(side())]


def primary_outbound() -> str:
    return {"intranet": "to-extranet", "extranet": "to-intranet"}[side()]


def limits():
    from exchange.package import Limits

    return Limits(
        max_package_bytes=int(_get("MAX_PACKAGE_BYTES", Limits.max_package_bytes)),
        max_members=int(_get("MAX_MEMBERS", Limits.max_members)),
        max_file_bytes=int(_get("MAX_FILE_BYTES", Limits.max_file_bytes)),
        max_manifest_bytes=int(_get("MAX_MANIFEST_BYTES", Limits.max_manifest_bytes)),
    )


def memory_copy_bytes() -> int:
    """Inbound packages up to this size are copied into memory to be verified, not into the inbox
    directory (they are written there only when held or quarantined)."""
    return int(_get("MEMORY_COPY_BYTES", 4 * 1024 * 1024))


def max_items_per_package() -> int:
    return int(_get("MAX_ITEMS_PER_PACKAGE", 100))


def max_payload_per_package() -> int:
    return int(_get("MAX_PAYLOAD_PER_PACKAGE", 64 * 1024 * 1024))


def package_lifetime() -> timedelta:
    return timedelta(seconds=int(_get("PACKAGE_LIFETIME_SECONDS", 14 * 24 * 3600)))


def heartbeat_channels() -> list[str]:
    """Channels that carry (and so expect) heartbeats; the provincial channels do not by default."""
    return list(_get("HEARTBEAT_CHANNELS", ["to-extranet", "to-intranet"]))


def heartbeat_interval() -> int:
    return int(_get("HEARTBEAT_INTERVAL_SECONDS", 300))


def heartbeat_max_age() -> int:
    return int(_get("HEARTBEAT_MAX_AGE_SECONDS", 3 * heartbeat_interval()))


def poll_interval() -> int:
    return int(_get("POLL_INTERVAL_SECONDS", 15))


def verify_workers() -> int:
    """Threads that verify inbound packages. Verification runs in-process (no gpg), so they compete
    with the thread that applies in order for the CPU (and the GIL): two keep that thread fed."""
    return int(_get("VERIFY_WORKERS", 2))


def verify_processes() -> int:
    """Worker processes that verify a large import (0: threads only). By default one per CPU this
    process may use, at most four; none on a single CPU, where they could only take turns."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return int(_get("VERIFY_PROCESSES", 0 if cpus < 2 else min(cpus, 4)))


def verify_process_min() -> int:
    """Worker processes start only for an import of at least this many packages: starting them costs
    more than verifying a few packages in threads."""
    return int(_get("VERIFY_PROCESS_MIN", 16))


def apply_run() -> int:
    """Packages an import applies in one transaction, each in its own savepoint (a commit costs more)."""
    return int(_get("APPLY_RUN", 8))


def export_workers() -> int:
    """Threads that sign and write outbound packages; they mostly wait for the disk (fsync)."""
    return int(_get("EXPORT_WORKERS", 4))


def export_batch() -> int:
    """Packages packed in one database transaction at export (their signatures are made in parallel).
    Each batch costs a lock, a query, an INSERT, an UPDATE, an audit write, a directory flush and a
    commit; at 24 rather than 8, exports of 100-200 packages ran 6-25% faster in alternating runs."""
    return int(_get("EXPORT_BATCH", 24))


def handler_modules() -> list[str]:
    """Extra modules imported at start-up that register message handlers (comma separated)."""
    value = os.environ.get("JINCAI_EXCHANGE_HANDLER_MODULES", "")
    return [*_get("HANDLER_MODULES", []), *[m.strip() for m in value.split(",") if m.strip()]]


def exchange_beat_schedule() -> dict:
    """The Celery beat entries of the exchange, for ``CELERY_BEAT_SCHEDULE`` of each side."""
    every = float(os.environ.get("JINCAI_EXCHANGE_POLL_SECONDS", "15"))
    beat = float(os.environ.get("JINCAI_EXCHANGE_HEARTBEAT_SECONDS", "300"))
    prune = float(os.environ.get("JINCAI_EXCHANGE_PRUNE_SECONDS", "3600"))
    return {
        "exchange-export": {"task": "exchange.export", "schedule": every, "options": {"expires": every * 2}},
        "exchange-import": {"task": "exchange.import", "schedule": every, "options": {"expires": every * 2}},
        "exchange-heartbeat": {"task": "exchange.heartbeat", "schedule": beat, "options": {"expires": beat}},
        "exchange-prune": {"task": "exchange.prune", "schedule": prune, "options": {"expires": prune}},
    }
