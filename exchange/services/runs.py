"""Progress of long runs (export, import, re-export) and the lock that keeps them from overlapping."""

from __future__ import annotations

import contextlib
import fcntl
import sys
import threading
import time

from django.utils import timezone

from exchange import conf
from exchange.models import ExchangeRun

_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextlib.contextmanager
def short_gil_switch(interval: float = 0.0005):
    """While worker threads verify or sign, the thread that applies in order makes many short
    database calls; each one gives up the GIL and, with the default 5 ms switch interval, may wait
    that long to get it back from a busy worker. A shorter interval keeps the in-order thread,
    the bottleneck, moving. Restored when the last user leaves."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, _switch_saved))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


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
