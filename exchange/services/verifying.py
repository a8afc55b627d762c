"""Verifying inbound packages, off the thread that applies them in order (no database access).

Each ferry file is copied into private storage (memory for a small package, the inbox directory
for a large one) and verified: signature, hashes, content, schemas, classification; the bodies are
sanitized and handlers that can (content-addressed attachment files) do their part of the apply.

Where: in worker threads for a few packages. For a large import, in worker processes: the work is
Python and C code that holds the GIL, so threads only take turns with the applying thread, while
processes use the other cores. The package bytes reach a process through shared memory (the
reader's own copy, never the ferry file), and only the verified facts come back: no payload
bytes cross the pipe. Processes are used only where this process may have children (not inside a
daemonic worker such as Celery's prefork pool children) and where ``fork`` is available.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import shared_memory
from pathlib import Path

from exchange import archive, conf, ferry, registry
from exchange.channels import CHANNELS
from exchange.errors import PackageRejected
from exchange.manifest import parse_time
from exchange.package import VerifiedPackage, verify_package
from exchange.services.applying import check_signer, sanitized_bodies
from exchange.services.keys import keyring

log = logging.getLogger(__name__)
ENCRYPTED = frozenset(c.name for c in CHANNELS.values() if c.encrypted)
CHUNK = 4  # packages per call to a worker process, once the import is under way


@dataclass
class Result:
    entry: ferry.Entry
    copy: Path | None = None
    package_sha256: str = ""
    vp: VerifiedPackage | None = None
    error: PackageRejected | None = None
    workdir: Path | None = None
    bodies: list[dict] | None = None  # the items' bodies as handlers see them (HTML sanitized)
    data: bytes | None = None  # the private copy, when it is held in memory instead of ``copy``
    # The package in the archive, once verified (plaintext packages with attachments): the
    # attachments are read from there, and it stands in for ``data`` when that is not kept.
    archived: Path | None = None


def inbox_dir(channel: str) -> Path:
    return conf.state_dir() / "inbox" / channel


def _workroot() -> Path:
    path = conf.state_dir() / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_semantics(vp: VerifiedPackage, keys: dict[str, tuple[int, int | None]]) -> None:
    """Checks after the signature: key validity for this sequence number, message types and schemas,
    classification (again: it was checked at export too)."""
    check_signer(vp, keys)
    for position, item in enumerate(vp.items):
        registry.check_message(item.type, item.version, item.body, vp.channel, item.classification,
                               len(item.attachments))
        if item.type == "exchange.key_rotation" and position != len(vp.items) - 1:
            raise PackageRejected("key_rotation", "a key rotation must be the last item of its package")


def _prepare_items(vp: VerifiedPackage) -> None:
    """Let handlers that can do part of their work before the apply transaction (writing
    content-addressed files) do it here, off the applying thread."""
    for item in vp.items:
        prepare = getattr(registry.get(item.type, item.version).apply, "prepare", None)
        if prepare is not None:
            prepare(item)


def new_workdir(channel: str) -> Path | None:
    """Private room for decrypted files; only encrypted channels need it."""
    return Path(tempfile.mkdtemp(dir=_workroot())) if channel in ENCRYPTED else None


def verify(path: Path | None, channel: str, keys, name: str, workdir: Path | None, fresh: bool = True,
           data: bytes | memoryview | None = None) -> VerifiedPackage:
    vp = verify_package(path, gpg=keyring(), pinned={channel: set(keys)}, channel=channel,
                        encrypted_channels=ENCRYPTED, limits=conf.limits(), check_freshness=fresh,
                        expected_name=name, workdir=workdir, data=data)
    check_semantics(vp, keys)
    return vp


def _read(entry: ferry.Entry, channel: str, result: Result) -> None:
    """The private copy: in memory for a small package, else a file in the inbox directory."""
    max_bytes = conf.limits().max_package_bytes
    if entry.size <= conf.memory_copy_bytes():
        result.data, result.package_sha256 = ferry.read_in(entry, max_bytes)
    else:
        fd, name = tempfile.mkstemp(dir=_mkdir(inbox_dir(channel) / ".incoming"), prefix=entry.name + ".")
        os.close(fd)  # copy_in writes the file by name
        result.copy = Path(name)
        result.package_sha256, _ = ferry.copy_in(entry, result.copy, max_bytes)


def verify_entry(entry: ferry.Entry, channel: str, keys, *, result: Result | None = None,
                 data: bytes | memoryview | None = None) -> Result:
    """Copy one ferry file into private storage (unless ``result`` comes with its copy, ``data``)
    and verify the copy. Never raises for bad input: the reason is in ``result.error``."""
    result = result or Result(entry)
    try:
        if data is None and result.copy is None:
            _read(entry, channel, result)
            data = result.data
        result.workdir = new_workdir(channel)
        vp = verify(result.copy, channel, keys, entry.name, result.workdir, data=data)
        result.bodies = sanitized_bodies(vp)
        if result.workdir is None and any(item.attachments for item in vp.items):
            result.archived = archive.store(result.package_sha256, data=data, source=result.copy)
            for item in vp.items:
                for a in item.attachments:  # offsets stay: they are into the package's bytes
                    a.source, a.data = result.archived, None
        _prepare_items(vp)
        result.vp = vp
    except PackageRejected as exc:
        result.error = exc
    except Exception as exc:  # anything unexpected about the input is a rejection, never a crash
        log.exception("verifying %s failed", entry.name)
        result.error = PackageRejected("container", f"unreadable package: {type(exc).__name__}: {exc}"[:500])
    if result.error and not result.package_sha256 and result.copy:
        result.copy.unlink(missing_ok=True)  # nothing was copied
        result.copy = None
    return result


def cleanup(result: Result | None) -> None:
    if result and result.workdir:
        shutil.rmtree(result.workdir, ignore_errors=True)
        result.workdir = None


# --- In worker processes -------------------------------------------------------------------------

def _verify_shared(entry: ferry.Entry, channel: str, keys, shm_name: str) -> Result:
    """In a worker process: read the ferry file into the shared memory the parent made for it
    (that copy is the one verified, and the one the parent keeps), then verify it."""
    shm = shared_memory.SharedMemory(name=shm_name)
    result = Result(entry)
    try:
        with shm.buf as buffer:
            try:
                size, result.package_sha256 = ferry.read_into(entry, buffer, conf.limits().max_package_bytes)
            except PackageRejected as exc:
                result.error = PackageRejected(exc.code, exc.message)
                return result
            with buffer[:size] as view:
                verify_entry(entry, channel, keys, result=result, data=view)
                if result.vp is not None:  # the parent points these at its own copy of the bytes
                    for item in result.vp.items:
                        for a in item.attachments:
                            a.data = None
                if result.error is not None:  # without its traceback, whose frames still see the bytes
                    result.error = PackageRejected(result.error.code, result.error.message)
                    gc.collect()
    finally:
        shm.close()
    return result


def _verify_file(entry: ferry.Entry, channel: str, keys) -> Result:
    """In a worker process: a large package, copied into the inbox directory and verified there."""
    return verify_entry(entry, channel, keys)


def _verify_chunk(channel: str, keys, tasks: list[tuple[ferry.Entry, str | None]]) -> list[Result]:
    """In a worker process: a few packages per call, which costs the parent fewer wake-ups."""
    return [_verify_shared(entry, channel, keys, shm) if shm else _verify_file(entry, channel, keys)
            for entry, shm in tasks]


def _warm(keys) -> None:
    """Before forking: what every child would otherwise each make for itself on its first package
    (the pinned certificates, exported by a gpg process; the time parser, imported on first use),
    made once here. Objects that exist now are frozen out of the collector's reach, so that a
    child's collections do not write to (and so copy) every page it shares with this process."""
    gpg = keyring()
    for fingerprint in keys:
        gpg.certificate(fingerprint)
    parse_time("1970-01-01T00:00:00Z")
    gc.freeze()


def _processes_allowed() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


class Verifier:
    """Verifies ferry entries in order, in worker threads or (for many) worker processes."""

    def __init__(self, channel: str, expected: int):
        self.channel = channel
        self._pending: deque = deque()  # the calls in flight, oldest first
        self._buffered = 0  # results of a finished call not yet taken
        processes = conf.verify_processes()
        self.in_processes = processes > 0 and expected >= conf.verify_process_min() and _processes_allowed()
        self.pool: Executor
        if self.in_processes:
            # fork: the children start as copies of this process (settings, message registry, keyring)
            # and only ever run verify_entry, which touches no database connection.
            self.pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))
            self.window = 2 * processes  # calls in flight
            # The first calls carry one package each: the applying thread waits for the first result.
            self.ramp = processes
            self.warmed = False  # the pool forks its processes on the first call
        else:
            self.pool = ThreadPoolExecutor(max_workers=conf.verify_workers(), thread_name_prefix="exchange-verify")
            self.ramp = 0

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.in_processes and self.warmed:
            gc.unfreeze()

    def ready(self) -> bool:
        """Whether the next result of :meth:`map` is there already (taking it will not wait)."""
        if self._buffered:
            return True
        head = self._pending[0] if self._pending else None
        return head is not None and (head if not self.in_processes else head[0]).done()

    def map(self, entries: Iterable[ferry.Entry], keys) -> Iterator[Result]:
        """The results in the order of ``entries``; a few packages are read ahead, not all of them."""
        pending = self._pending = deque()
        if not self.in_processes:
            pending.extend(self.pool.submit(verify_entry, entry, self.channel, keys) for entry in entries)
            try:
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()
            return
        if not self.warmed:
            _warm(keys)
            self.warmed = True
        chunk: list = []
        try:
            for entry in entries:
                chunk.append(self._task(entry))
                if len(chunk) == (1 if self.ramp else CHUNK):
                    pending.append(self._submit(chunk, keys))
                    chunk, self.ramp = [], max(0, self.ramp - 1)
                if len(pending) >= self.window:
                    yield from self._drain(pending.popleft(), keys)
            if chunk:
                pending.append(self._submit(chunk, keys))
                chunk = []
            while pending:
                yield from self._drain(pending.popleft(), keys)
        finally:
            for job in [*pending, (None, chunk)]:
                self._release(job)

    def _drain(self, job, keys) -> Iterator[Result]:
        results = self._finish(job, keys)
        for n, result in enumerate(results, start=1):
            self._buffered = len(results) - n
            yield result

    @staticmethod
    def _task(entry: ferry.Entry) -> tuple[ferry.Entry, shared_memory.SharedMemory | None]:
        if entry.size > conf.memory_copy_bytes() or not entry.regular:
            return entry, None
        return entry, shared_memory.SharedMemory(create=True, size=entry.size + 1)

    def _submit(self, chunk: list, keys):
        tasks = [(entry, shm.name if shm else None) for entry, shm in chunk]
        return self.pool.submit(_verify_chunk, self.channel, keys, tasks), chunk

    @staticmethod
    def _release(job) -> None:
        future, chunk = job
        if future is not None:
            future.cancel()
        for _, shm in chunk:
            if shm is not None:
                shm.close()
                shm.unlink()

    def _finish(self, job, keys) -> list[Result]:
        future, chunk = job
        try:
            try:
                results = future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): verify these here, as threads would.
                log.warning("exchange: a verify process died; verifying %d packages in-process", len(chunk))
                return [verify_entry(entry, self.channel, keys) for entry, _ in chunk]
            return [self._adopt(result, shm) for result, (_, shm) in zip(results, chunk, strict=True)]
        finally:
            self._release(job)

    @staticmethod
    def _adopt(result: Result, shm: shared_memory.SharedMemory | None) -> Result:
        """Point a verified result at this process's own copy of the bytes that were verified
        (unless the worker archived them: the archive then stands in for the copy)."""
        if shm is None or not result.package_sha256 or result.archived is not None:
            return result
        result.data = data = bytes(shm.buf[:result.entry.size])
        if result.vp is not None:
            for item in result.vp.items:
                for a in item.attachments:
                    if a.source is None:  # in the package bytes
                        a.data = data
        return result
