"""Progress of long runs (export, import, re-export) and the lock that keeps them from overlapping."""

from __future__ import annotations

import contextlib
import fcntl
import time

from django.utils import timezone

from exchange import conf
from exchange.models import ExchangeRun


@contextlib.contextmanager
def run_lock(kind: str, wait: bool = True):
    """One export (or import) at a time per side. Yields False when ``wait`` is off and it is busy."""
    path = conf.state_dir() / f"{kind}.lock"
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Tracker:
    """Records progress on an :class:`ExchangeRun` at most a few times per second."""

    def __init__(self, run: ExchangeRun):
        self.run = run
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.5 and done < total:
            return
        self._last = now
        ExchangeRun.objects.filter(pk=self.run.pk).update(done=done, total=max(total, done))

    def finish(self, state: str = "done", message: str = "") -> None:
        ExchangeRun.objects.filter(pk=self.run.pk).update(state=state, message=message[:2000],
                                                          finished_at=timezone.now())


def start(kind: str, channel: str = "", params: dict | None = None, requested_by: str = "",
          state: str = "running") -> ExchangeRun:
    return ExchangeRun.objects.create(kind=kind, channel=channel, params=params or {}, requested_by=requested_by,
                                      state=state)
