"""Periodic exchange work for Celery beat (see ``exchange.conf.exchange_beat_schedule``).

Every task is idempotent: exporting twice writes nothing new, importing twice records
duplicates only. A task that finds the previous run still busy skips its turn.
"""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


class _LazyRun:
    """Creates the progress row only when there is something to report."""

    def __init__(self, kind: str):
        self.kind, self.tracker = kind, None

    def __call__(self, done: int, total: int) -> None:
        from exchange.services import runs

        if self.tracker is None:
            self.tracker = runs.Tracker(runs.start(self.kind, requested_by="celery"))
        self.tracker(done, total)

    def finish(self, state: str = "done", message: str = "") -> None:
        if self.tracker is not None:
            self.tracker.finish(state, message)


@shared_task(name="exchange.export", time_limit=600, soft_time_limit=540, ignore_result=True)
def export_task() -> dict:
    from exchange.services import outbox, runs

    with runs.run_lock("export", wait=False) as acquired:
        if not acquired:
            return {"skipped": "busy"}
        progress = _LazyRun("export")
        try:
            result = outbox.export_all(progress)
        except Exception as exc:
            progress.finish("failed", str(exc))
            raise
        progress.finish()
        return {channel: [p.seq for p in packages] for channel, packages in result.items()}


@shared_task(name="exchange.import", time_limit=600, soft_time_limit=540, ignore_result=True)
def import_task() -> dict:
    from exchange.services import inbox, runs

    with runs.run_lock("import", wait=False) as acquired:
        if not acquired:
            return {"skipped": "busy"}
        progress = _LazyRun("import")
        try:
            report = inbox.import_all(progress)
        except Exception as exc:
            progress.finish("failed", str(exc))
            raise
        progress.finish("done" if report.ok else "failed",
                        "; ".join(f"{name}: {code}" for _, name, code, _ in report.rejected))
        return {"applied": len(report.applied), "duplicates": len(report.duplicates),
                "held": len(report.held), "rejected": len(report.rejected)}


@shared_task(name="exchange.prune", time_limit=600, soft_time_limit=540, ignore_result=True)
def prune_task() -> dict:
    """Remove expired packages this side wrote from its outbound ferries (they would be refused),
    and archived packages nothing refers to."""
    from exchange.services import retention, runs

    # Never while an export writes the ferries, nor while an import archives packages.
    with runs.run_lock("export", wait=False) as export_free, runs.run_lock("import", wait=False) as import_free:
        if not (export_free and import_free):
            return {"skipped": "busy"}
        report = retention.prune()
        return {"removed": len(report.removed), "kept": report.kept, "archive_removed": len(report.archive_removed)}


@shared_task(name="exchange.heartbeat", time_limit=60, ignore_result=True)
def heartbeat_task() -> int:
    from exchange.services import outbox

    return len(outbox.queue_heartbeats())


@shared_task(name="exchange.resend", time_limit=1800, soft_time_limit=1740, ignore_result=True)
def resend_task(run_id: int) -> dict:
    """Re-export a range requested on the operator screen; progress goes to its ExchangeRun."""
    from exchange.models import ExchangeRun
    from exchange.services import outbox, runs

    run = ExchangeRun.objects.get(pk=run_id)
    if run.state in ("done", "failed"):
        return {"skipped": run.state}
    ExchangeRun.objects.filter(pk=run.pk).update(state="running")
    tracker = runs.Tracker(run)
    try:
        written, problems = outbox.resend(run.channel, run.params["from"], run.params["to"], tracker)
    except Exception as exc:
        tracker.finish("failed", str(exc))
        raise
    tracker.finish("done", "; ".join(problems))
    return {"written": written, "problems": problems}
