"""The directory ferry: the sender writes, the receiver only reads.

A writer never exposes a partly written package: it writes under a hidden temporary name in
the same directory, flushes it to disk, then renames it to its final name (atomic on POSIX).
A reader considers only final names (``<channel>-<seq>-<uuid>.jxp``) and never touches the
ferry otherwise: it copies what it reads into its own private inbox, with a size cap, and
works on that copy.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from exchange.errors import PackageRejected
from exchange.manifest import PACKAGE_NAME_RE


@dataclass(frozen=True)
class Entry:
    name: str
    channel: str
    seq: int
    path: Path
    size: int
    mtime_ns: int
    regular: bool


def write_atomic(directory: Path, name: str, source: Path) -> Path:
    """Copy ``source`` into ``directory`` as ``name`` without ever exposing a partial file: the bytes
    go to a hidden temporary name, are flushed to disk, and the final name appears by rename."""
    tmp = stage(directory, name, source)
    try:
        return publish(tmp, directory, name)
    finally:
        tmp.unlink(missing_ok=True)


def stage(directory: Path, name: str, source: Path) -> Path:
    """The first half of :func:`write_atomic`: the copy under a hidden name, flushed to disk."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.{secrets.token_hex(4)}.part"
    try:
        shutil.copyfile(source, tmp)  # in the kernel where it can (sendfile)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def publish(tmp: Path, directory: Path, name: str) -> Path:
    """The second half of :func:`write_atomic`: the final name appears, atomically."""
    final = directory / name
    os.replace(tmp, final)
    return final


def sync_dir(directory: Path) -> None:
    """Flush a directory's entries (the names that renames made) to disk: once per batch of renames."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def scan(directory: Path) -> list[Entry]:
    """Packages ready in ``directory`` in sequence order. Temporary and foreign names are ignored."""
    entries = []
    try:
        it = os.scandir(directory)
    except FileNotFoundError:
        return []
    with it:
        for de in it:
            match = PACKAGE_NAME_RE.match(de.name)
            if not match:
                continue
            st = de.stat(follow_symlinks=False)
            entries.append(Entry(de.name, match["channel"], int(match["seq"]), Path(de.path), st.st_size,
                                 st.st_mtime_ns, stat.S_ISREG(st.st_mode)))
    entries.sort(key=lambda e: (e.seq, e.name))
    return entries


def _open_regular(entry: Entry, max_bytes: int) -> int:
    """Open a ferry file for reading without following a link or blocking on a FIFO, refusing
    anything but a regular file within the size cap (the descriptor is the caller's to close)."""
    if not entry.regular:
        raise PackageRejected("not_regular")
    if entry.size > max_bytes:
        raise PackageRejected("size", f"{entry.size} bytes; the limit is {max_bytes}")
    try:
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise PackageRejected("not_regular", f"cannot open: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PackageRejected("not_regular")
    return fd


def read_in(entry: Entry, max_bytes: int) -> tuple[bytes, str]:
    """Read a ferry file into memory (the receiver's private copy of a small package), refusing
    links, special files and anything too large, as :func:`copy_in` does. Returns (bytes, sha256 hex).
    """
    fd = _open_regular(entry, max_bytes)
    try:
        chunks, size = [], 0
        while chunk := os.read(fd, max(1 << 20, entry.size + 1 - size)):
            size += len(chunk)
            if size > max_bytes:
                raise PackageRejected("size", f"more than {max_bytes} bytes")
            chunks.append(chunk)
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return data, hashlib.sha256(data).hexdigest()


def read_into(entry: Entry, buffer: memoryview, max_bytes: int) -> tuple[int, str]:
    """:func:`read_in` into ``buffer`` (the size the scan saw, plus one byte to notice growth):
    a file that is now of another size than the scan saw changed after it was written, which the
    writer's rename never does, and is refused. Returns (size, sha256 hex)."""
    fd = _open_regular(entry, max_bytes)
    try:
        size = 0
        while n := os.readv(fd, [buffer[size:]]):
            size += n
            if size > entry.size:
                raise PackageRejected("size", "the file grew after it was listed")
    finally:
        os.close(fd)
    if size != entry.size:
        raise PackageRejected("size", "the file shrank after it was listed")
    return size, hashlib.sha256(buffer[:size]).hexdigest()


def copy_in(entry: Entry, dest: Path, max_bytes: int) -> tuple[str, int]:
    """Copy a ferry file to ``dest`` (private), refusing links, special files and anything too large.

    ``dest`` is written in place (it is the caller's own fresh file, e.g. from ``mkstemp``): no
    rename over it, which on ext4 would force the new data to disk at once. On failure ``dest``
    is left empty. Returns (sha256 hex, size) of the copy.
    """
    fd = _open_regular(entry, max_bytes)
    digest, size = hashlib.sha256(), 0
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as out:
            try:
                while chunk := os.read(fd, 1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PackageRejected("size", f"more than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            except BaseException:
                out.truncate(0)
                raise
    finally:
        os.close(fd)
    return digest.hexdigest(), size
