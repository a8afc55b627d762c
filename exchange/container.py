"""The container: a strict subset of the POSIX ustar archive format.

Only regular-file members with short relative names; no directories, links, devices,
extended (pax/GNU) headers or compression. Headers are read and checked (count, names, sizes)
before a single byte of member data is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from exchange.errors import PackageRejected

BLOCK = 512
RECORD = 20 * BLOCK
_MAGIC = b"ustar\x00"
_VERSION = b"00"


@dataclass(frozen=True)
class Member:
    name: str
    offset: int  # of the data in the file
    size: int


def _octal(value: int, width: int) -> bytes:
    text = b"%0*o" % (width - 1, value)
    if len(text) != width - 1:
        raise ValueError("value too large for the header field")
    return text + b"\x00"


def header(name: str, size: int, mtime: int) -> bytes:
    raw_name = name.encode("ascii")
    if not 0 < len(raw_name) < 100:
        raise ValueError(f"member name too long: {name}")
    h = bytearray(BLOCK)
    h[0 : len(raw_name)] = raw_name
    h[100:108] = _octal(0o644, 8)
    h[108:116] = _octal(0, 8)
    h[116:124] = _octal(0, 8)
    h[124:136] = _octal(size, 12)
    h[136:148] = _octal(mtime, 12)
    h[148:156] = b" " * 8
    h[156:157] = b"0"
    h[257:263] = _MAGIC
    h[263:265] = _VERSION
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


def padding(size: int) -> bytes:
    return b"\x00" * (-size % BLOCK)


def trailer(written: int) -> bytes:
    """Two zero blocks, then zeros up to a whole record as tar(1) writes it."""
    end = written + 2 * BLOCK
    return b"\x00" * (2 * BLOCK + (-end % RECORD))


def _field_octal(raw: bytes, what: str) -> int:
    text = raw.rstrip(b"\x00 ").lstrip(b" ")
    if not text or any(c not in b"01234567" for c in text):
        raise PackageRejected("container", f"malformed {what} field")
    return int(text, 8)


def _parse(block: bytes, offset: int) -> tuple[str, int]:
    if block[257:263] != _MAGIC or block[263:265] != _VERSION:
        raise PackageRejected("container", f"not a POSIX ustar header at byte {offset}")
    stored = _field_octal(block[148:156], "checksum")
    if stored != sum(block[:148]) + 8 * 32 + sum(block[156:]):
        raise PackageRejected("container", f"header checksum mismatch at byte {offset}")
    typeflag = block[156:157]
    if typeflag not in (b"0", b"\x00"):
        kind = {b"1": "hard link", b"2": "symbolic link", b"3": "character device", b"4": "block device",
                b"5": "directory", b"6": "FIFO", b"x": "pax header", b"g": "pax header",
                b"L": "GNU long name", b"K": "GNU long link", b"S": "GNU sparse file"}.get(typeflag, "special")
        raise PackageRejected("member", f"member of type {kind} at byte {offset}")
    if any(block[157:257]) or any(block[345:500]):
        raise PackageRejected("member", f"link name or name prefix set at byte {offset}")
    raw_name = block[0:100].split(b"\x00", 1)[0]
    if any(block[len(raw_name) : 100]):
        raise PackageRejected("member", f"garbage after the member name at byte {offset}")
    try:
        name = raw_name.decode("ascii")
    except UnicodeDecodeError:
        raise PackageRejected("member", f"non-ASCII member name at byte {offset}") from None
    return name, _field_octal(block[124:136], "size")


def _canonical(block: bytes) -> tuple[str | None, int]:
    """(name, size) when ``block`` is exactly the header :func:`header` writes, else (None, 0).

    Equality with the canonical header implies every check of :func:`_parse` (magic, checksum,
    regular file, no link name or prefix, a clean ASCII name), so the common case costs one
    header build and one comparison.
    """
    raw_name = block[:100].split(b"\x00", 1)[0]
    size_field = block[124:135]
    if not raw_name.isascii() or not size_field.isdigit() or b"8" in size_field or b"9" in size_field:
        return None, 0
    try:
        name, size = raw_name.decode("ascii"), int(size_field, 8)
        expected = header(name, size, 0)
    except ValueError:
        return None, 0
    return (name, size) if block == expected else (None, 0)


def scan(source: int | Callable, file_size: int, max_members: int) -> list[Member]:
    """Read every header of the archive in ``source`` (a file descriptor, or a function that reads
    ``length`` bytes at ``offset``); return the members in order."""
    if isinstance(source, int):
        fd = source

        def read(n: int, offset: int) -> bytes:
            return os.pread(fd, n, offset)
    else:
        read = source
    members: list[Member] = []
    offset = 0
    while True:
        if offset + BLOCK > file_size:
            raise PackageRejected("container", "the archive ends without its end-of-archive marker")
        block = bytes(read(BLOCK, offset))
        if block == b"\x00" * BLOCK:
            if read(BLOCK, offset + BLOCK) != b"\x00" * BLOCK:
                raise PackageRejected("container", "a single zero block inside the archive")
            end = offset + 2 * BLOCK
            if file_size != end + (-end % RECORD):
                raise PackageRejected("container", "the archive is not padded to exactly one whole record")
            _check_zeros(read, end, file_size, "data after the end-of-archive marker")
            return members
        if len(members) >= max_members:
            raise PackageRejected("limits", f"more than {max_members} members")
        name, size = _canonical(block)
        if name is None:  # not the canonical header of a regular file: find out what is wrong with it
            name, size = _parse(block, offset)
            try:
                canonical = header(name, size, 0)
            except ValueError:
                raise PackageRejected("member", f"member name too long at byte {offset}") from None
            if block != canonical:
                raise PackageRejected("container", f"the header at byte {offset} is not in the canonical form")
        data = offset + BLOCK
        if size > file_size - data:
            raise PackageRejected("container", f"member {name!r} claims {size} bytes beyond the end of the file")
        members.append(Member(name, data, size))
        offset = data + size + (-size % BLOCK)
        _check_zeros(read, data + size, offset, "padding after a member is not zero")


def _check_zeros(read: Callable, offset: int, end: int, problem: str) -> None:
    while offset < end:
        chunk = read(min(1 << 16, end - offset), offset)
        if not chunk:
            raise PackageRejected("container", "the file is shorter than its headers say")
        if bytes(chunk).count(0) != len(chunk):
            raise PackageRejected("container", problem)
        offset += len(chunk)
