"""The receiver's archive of verified packages: each kept once, as received, under its SHA-256.

A verified package's attachments are read from here (an offset and a size into the package file)
instead of being copied out one file each. An import then creates one file per package rather
than one per attachment: creating a file is the costly part of storing it, from 0.02 to nearly
1 ms on ext4 depending on where the directory lies. What is kept also stays verifiable: the
archived file is the signed package, so every attachment can be checked against the sender's
signature long after it was applied. A package received twice is stored once.

Only plaintext packages are archived; the attachments of an encrypted channel are decrypted
files, which the handlers store as before.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from exchange import conf

SUFFIX = ".jxp"


def root() -> Path:
    return conf.state_dir() / "received"


def path_for(package_sha256: str) -> Path:
    return root() / package_sha256[:2] / f"{package_sha256}{SUFFIX}"


def name_in(path: Path | None, under: Path) -> str | None:
    """The archive name of ``path`` when it is an archived package (``under`` is :func:`root`,
    looked up once by a caller with many paths), else None."""
    if path is None or path.parent.parent != under:
        return None
    return f"{path.parent.name}/{path.name}"


def create_new(path: Path):
    """A new file at ``path``; its directory is made only when it is missing (a mkdir per file
    would cost a system call each time)."""
    try:
        return open(path, "xb")  # noqa: SIM115 (the caller closes it)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "xb")  # noqa: SIM115


def store(package_sha256: str, *, data: bytes | memoryview | None = None, source: Path | None = None) -> Path:
    """Keep a verified package (``data``, or the file ``source``) unless it is kept already.

    Written under a temporary name, flushed to disk and renamed: the records that will point into
    it commit after this, so a crash never leaves a record pointing at a partial file.
    """
    target = path_for(package_sha256)
    if target.exists():
        # In use again: the time of last use is what retention.prune_archive's grace period counts from.
        os.utime(target)
        return target
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")  # unique per worker
    try:
        with create_new(tmp) as out:
            if data is not None:
                out.write(data)
            else:
                with open(source, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def unused_since(cutoff: float) -> dict[str, Path]:
    """Archived packages (by archive name) and stale temporary files last used before ``cutoff``
    (a POSIX time): the candidates for removal, before checking what still refers to them."""
    out: dict[str, Path] = {}
    base = root()
    if not base.is_dir():
        return out
    for shard in os.scandir(base):
        if not shard.is_dir(follow_symlinks=False) or len(shard.name) != 2:
            continue
        for de in os.scandir(shard.path):
            if de.is_file(follow_symlinks=False) and de.stat(follow_symlinks=False).st_mtime < cutoff:
                out[f"{shard.name}/{de.name}"] = Path(de.path)
    return out


def read(entry: dict) -> bytes:
    """The bytes of an attachment recorded with :func:`store`'s file (``archive``, ``offset``, ``size``)."""
    name = entry["archive"]
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise ValueError(f"not an archive name: {name!r}")
    with open(root() / name, "rb") as fh:
        fh.seek(entry["offset"])
        data = fh.read(entry["size"])
    if len(data) != entry["size"]:
        raise OSError(f"{name} is shorter than the record says")
    return data


def keep_copy(archived: Path, target: Path, *, link: bool = False) -> None:
    """A private copy of an archived package elsewhere on this side: for a held package (``link``)
    a second name for the same file where the file system allows, for a package set aside a copy
    (an operator may do with it what they like)."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if link:
            try:
                os.link(archived, tmp)
            except OSError:  # another file system, or links not allowed
                shutil.copyfile(archived, tmp)
        else:
            shutil.copyfile(archived, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
