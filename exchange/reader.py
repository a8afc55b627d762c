"""Verifying package files (docs/exchange-format.md, section 8). Pure library: no Django.

Verification order: file type and size; every archive header (count, names, sizes); the
detached signature over the manifest bytes and the signer's pinned fingerprint; the manifest
(canonical JSON, schema, channel, time window); then each payload file against its declared
size and SHA-256, decrypted if the channel is encrypted, and its content against its declared
media type; finally message bodies as JSON.

A package is verified either from a file or from bytes already in memory (the receiver's private
copy of a small package need not touch the disk at all).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from exchange import canonical, container, mediatypes, sigpacket
from exchange.errors import PackageRejected
from exchange.gpg import GnuPG, GPGError
from exchange.manifest import (
    MANIFEST_NAME,
    PATH_RE,
    SIGNATURE_NAME,
    package_file_name,
    parse_time,
    schema_problem,
)

MiB = 1024 * 1024
CHUNK = 1 << 16
Reader = Callable[[int, int], "bytes | memoryview"]  # (length, offset) -> at most that many bytes


@dataclass(frozen=True)
class Limits:
    max_package_bytes: int = 256 * MiB
    max_members: int = 2002
    max_manifest_bytes: int = 4 * MiB
    max_signature_bytes: int = 64 * 1024
    max_file_bytes: int = 64 * MiB
    max_body_bytes: int = 4 * MiB
    clock_skew: timedelta = timedelta(minutes=10)


@dataclass
class PayloadFile:
    path: str
    role: str
    media_type: str
    size: int
    sha256: str
    name: str | None
    source: Path | None
    offset: int
    # The verified package bytes when the receiver holds its private copy in memory; ``offset``
    # is then into these bytes (and, once the copy is written out, into ``source``).
    data: bytes | memoryview | None = None
    # Where a handler's ``prepare`` already stored these bytes (content-addressed), if it did.
    stored: str | None = None

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(self.offset, self.offset + self.size, CHUNK * 16):
                yield bytes(view[start : min(start + CHUNK * 16, self.offset + self.size)])
            return
        with open(self.source, "rb") as fh:
            fh.seek(self.offset)
            left = self.size
            while left:
                chunk = fh.read(min(CHUNK * 16, left))
                if not chunk:
                    raise OSError("payload source shrank")
                left -= len(chunk)
                yield chunk

    def read_bytes(self) -> bytes:
        return b"".join(self.chunks())


@dataclass
class VerifiedItem:
    index: int
    type: str
    version: int
    classification: str
    ref: str
    body: dict
    attachments: list[PayloadFile] = field(default_factory=list)


@dataclass
class VerifiedPackage:
    channel: str
    seq: int
    uuid: str
    prev: str
    created: datetime
    expires: datetime
    signer: str
    manifest: dict
    manifest_sha256: str
    items: list[VerifiedItem]

    @property
    def file_name(self) -> str:
        return package_file_name(self.channel, self.seq, self.uuid)


def _open_regular(path: Path, limits: Limits) -> tuple[int, int]:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise PackageRejected("not_regular", f"cannot stat the package: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise PackageRejected("not_regular")
    if st.st_size > limits.max_package_bytes:
        raise PackageRejected("size", f"{st.st_size} bytes; the limit is {limits.max_package_bytes}")
    if st.st_size < 4 * container.BLOCK:
        raise PackageRejected("size", "too small to be a package")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    st2 = os.fstat(fd)
    if not stat.S_ISREG(st2.st_mode) or st2.st_size != st.st_size or st2.st_ino != st.st_ino:
        os.close(fd)
        raise PackageRejected("not_regular", "the file changed while it was opened")
    return fd, st.st_size


def _check_members(members: list[container.Member], limits: Limits) -> None:
    if len(members) < 3 or members[0].name != MANIFEST_NAME or members[1].name != SIGNATURE_NAME:
        raise PackageRejected("container", f"the first members must be {MANIFEST_NAME} and {SIGNATURE_NAME}")
    if members[0].size > limits.max_manifest_bytes:
        raise PackageRejected("limits", "the manifest is too large")
    if members[1].size > limits.max_signature_bytes:
        raise PackageRejected("limits", "the signature is too large")
    seen = set()
    for m in members[2:]:
        if m.name in seen:
            raise PackageRejected("member", f"duplicate member {m.name!r}")
        seen.add(m.name)
        if not PATH_RE.match(m.name) or len(m.name) > 99 or ".." in m.name.split("/"):
            raise PackageRejected("member", f"member name not allowed: {m.name!r}")
        if m.size > limits.max_file_bytes:
            raise PackageRejected("limits", f"member {m.name!r} is larger than {limits.max_file_bytes} bytes")


def verify_package(path: Path | None, *, gpg: GnuPG, pinned: Mapping[str, set[str]], channel: str | None = None,
                   encrypted_channels: set[str] = frozenset(), limits: Limits = Limits(), now: datetime | None = None,
                   check_freshness: bool = True, expected_name: str | None = None,
                   workdir: Path | None = None, data: bytes | None = None) -> VerifiedPackage:
    """Verify the package file ``path``, or the package bytes ``data``, completely; raise
    :class:`PackageRejected` at the first problem.

    ``pinned`` maps each acceptable channel to the fingerprints allowed to sign on it; with
    ``channel`` given only that channel is acceptable. Encrypted files are decrypted into
    ``workdir``, which must then be given. With ``data`` the payload files of the result refer
    to those bytes (``PayloadFile.data``), and ``path`` is not read.
    """
    accept = {channel: set(pinned.get(channel, ()))} if channel else {k: set(v) for k, v in pinned.items()}
    if data is not None:
        fd, size = None, len(data)
        if size > limits.max_package_bytes:
            raise PackageRejected("size", f"{size} bytes; the limit is {limits.max_package_bytes}")
        if size < 4 * container.BLOCK:
            raise PackageRejected("size", "too small to be a package")
        view = memoryview(data)

        def read(n: int, offset: int) -> bytes | memoryview:
            return view[offset : offset + n]
    else:
        path = Path(path)
        fd, size = _open_regular(path, limits)

        def read(n: int, offset: int) -> bytes | memoryview:
            return os.pread(fd, n, offset)
    try:
        members = container.scan(read, size, limits.max_members)
        _check_members(members, limits)
        manifest_bytes = bytes(read(members[0].size, members[0].offset))
        signature = bytes(read(members[1].size, members[1].offset))
        sigpacket.check_structure(signature)
        sigpacket.check_digest_prefix(signature, manifest_bytes)
        sig = gpg.verify_pinned(signature, manifest_bytes, set().union(*accept.values()))
        if not sig.valid:
            raise PackageRejected("signature", sig.problem or "bad signature")
        sigpacket.check_issuer(signature, sig.signing_fingerprint)
        if not any(sig.fingerprint in fprs for fprs in accept.values()):
            raise PackageRejected("untrusted_signer", f"{sig.fingerprint} is not pinned for this channel")
        manifest = _parse_manifest(manifest_bytes)
        pkg_channel = manifest["channel"]
        if pkg_channel not in accept:
            raise PackageRejected("channel", f"the package is for channel {pkg_channel!r}")
        if sig.fingerprint not in accept[pkg_channel]:
            raise PackageRejected("untrusted_signer", f"{sig.fingerprint} is not pinned for {pkg_channel}")
        if manifest["sender"]["fingerprint"] != sig.fingerprint:
            raise PackageRejected("signature", "the manifest names another sender than the signer")
        if expected_name is not None and expected_name != package_file_name(pkg_channel, manifest["seq"],
                                                                            manifest["uuid"]):
            raise PackageRejected("name", f"{expected_name} does not match the manifest")
        created, expires = parse_time(manifest["created"]), parse_time(manifest["expires"])
        if expires <= created:
            raise PackageRejected("manifest", "expires before it was created")
        if check_freshness:
            now = now or datetime.now(UTC)
            if created > now + limits.clock_skew:
                raise PackageRejected("not_yet_valid", f"created {manifest['created']}")
            if expires <= now:
                raise PackageRejected("expired", f"expired {manifest['expires']}")
        encrypted = pkg_channel in encrypted_channels
        if encrypted != ("encryption" in manifest):
            raise PackageRejected("manifest", "encryption required" if encrypted else "unexpected encryption")
        items = _verify_payload(read, members[2:], manifest, encrypted, gpg, limits, path, workdir, data)
    finally:
        if fd is not None:
            os.close(fd)
    return VerifiedPackage(pkg_channel, manifest["seq"], manifest["uuid"], manifest["prev"], created, expires,
                           sig.fingerprint, manifest, hashlib.sha256(manifest_bytes).hexdigest(), items)


def _parse_manifest(data: bytes) -> dict:
    try:
        manifest = canonical.loads_canonical(data)
    except canonical.CanonicalError as exc:
        raise PackageRejected("manifest", str(exc)) from None
    problem = schema_problem(manifest)
    if problem:
        raise PackageRejected("manifest", problem)
    paths = set()
    for position, item in enumerate(manifest["items"]):
        if item["index"] != position:
            raise PackageRejected("manifest", "item indexes must count from 0")
        first = item["files"][0]
        if first["role"] != "message" or first["media_type"] != mediatypes.JSON:
            raise PackageRejected("manifest", "each item starts with its JSON message")
        for f in item["files"]:
            if f["path"] in paths:
                raise PackageRejected("manifest", f"path declared twice: {f['path']}")
            paths.add(f["path"])
            if f is not first and f["role"] != "attachment":
                raise PackageRejected("manifest", "an item has exactly one message file")
    return manifest


def _hash_member(read: Reader, member: container.Member, copy_to: Path | None) -> tuple[str, bytes]:
    digest, head, offset, end = hashlib.sha256(), b"", member.offset, member.offset + member.size
    out = open(copy_to, "wb") if copy_to else None  # noqa: SIM115
    try:
        while offset < end:
            chunk = read(min(CHUNK * 16, end - offset), offset)
            if not chunk:
                raise PackageRejected("container", "the file is shorter than its headers say")
            if len(head) < 8192:
                head += bytes(chunk[: 8192 - len(head)])
            digest.update(chunk)
            if out:
                out.write(chunk)
            offset += len(chunk)
    finally:
        if out:
            out.close()
    return digest.hexdigest(), head


def _verify_payload(read, members, manifest, encrypted, gpg, limits, path, workdir, data) -> list[VerifiedItem]:
    declared = [f for item in manifest["items"] for f in item["files"]]
    declared_paths = {f["path"] for f in declared}
    for m in members:
        if m.name not in declared_paths:
            raise PackageRejected("undeclared_file", m.name)
    if len(members) != len(declared):
        missing = declared_paths - {m.name for m in members}
        raise PackageRejected("missing_file", ", ".join(sorted(missing))[:300])
    files: dict[str, PayloadFile] = {}
    bodies: dict[str, bytes] = {}
    for m, f in zip(members, declared, strict=True):
        if m.name != f["path"]:
            raise PackageRejected("member", f"members are not in manifest order at {m.name!r}")
        if m.size != f["size"]:
            raise PackageRejected("file_hash", f"{m.name}: size {m.size}, declared {f['size']}")
        if encrypted:
            if workdir is None:
                raise ValueError("a workdir is needed to verify encrypted packages")
            cipher = Path(workdir) / f"c{len(files)}"
            digest, _ = _hash_member(read, m, cipher)
            if digest != f["sha256"]:
                raise PackageRejected("file_hash", m.name)
            if "plain_size" not in f or "plain_sha256" not in f:
                raise PackageRejected("manifest", f"{m.name}: plaintext size and hash required")
            plain = Path(workdir) / f"p{len(files)}"
            try:
                psize, pdigest, head = gpg.decrypt_capped(cipher, plain, f["plain_size"])
            except GPGError as exc:
                raise PackageRejected("decrypt", f"{m.name}: {exc}") from None
            finally:
                cipher.unlink(missing_ok=True)
            if psize != f["plain_size"] or pdigest != f["plain_sha256"]:
                raise PackageRejected("decrypt", f"{m.name}: plaintext does not match its declared hash")
            source, offset, size, in_memory = plain, 0, psize, None
        else:
            digest, head = _hash_member(read, m, None)
            if digest != f["sha256"]:
                raise PackageRejected("file_hash", m.name)
            source, offset, size, in_memory = path, m.offset, m.size, data
        problem = mediatypes.check(f["media_type"], head)
        if problem:
            raise PackageRejected("media_type", f"{m.name}: {problem}")
        pf = PayloadFile(f["path"], f["role"], f["media_type"], size, f.get("plain_sha256", f["sha256"]),
                         f.get("name"), source, offset, in_memory)
        files[f["path"]] = pf
        if f["role"] == "message":
            if size > limits.max_body_bytes:
                raise PackageRejected("limits", f"{m.name}: message body too large")
            bodies[f["path"]] = pf.read_bytes()
    items = []
    for item in manifest["items"]:
        message = item["files"][0]["path"]
        try:
            body = canonical.loads_strict(bodies[message])
        except canonical.CanonicalError as exc:
            raise PackageRejected("message", f"{message}: {exc}") from None
        if not isinstance(body, dict):
            raise PackageRejected("message", f"{message}: not a JSON object")
        items.append(VerifiedItem(item["index"], item["type"], item["version"], item["classification"],
                                  item["ref"], body, [files[f["path"]] for f in item["files"][1:]]))
    return items
