"""Writing and verifying package files. Pure library: no Django (the province simulator uses it).

Verification order (docs/exchange-format.md, "Verification"): file type and size; every
archive header (count, names, sizes); the detached signature over the manifest bytes and the
signer's pinned fingerprint; the manifest (canonical JSON, schema, channel, time window);
then each payload file against its declared size and SHA-256, decrypted if the channel is
encrypted, and its content against its declared media type; finally message bodies as JSON.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from exchange import canonical, container, mediatypes, sigpacket
from exchange.errors import PackageRejected
from exchange.gpg import GnuPG, GPGError
from exchange.manifest import (
    FORMAT,
    MANIFEST_NAME,
    PATH_RE,
    SIGNATURE_NAME,
    format_time,
    package_file_name,
    parse_time,
    schema_problem,
)

MiB = 1024 * 1024
CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    max_package_bytes: int = 256 * MiB
    max_members: int = 2002
    max_manifest_bytes: int = 4 * MiB
    max_signature_bytes: int = 64 * 1024
    max_file_bytes: int = 64 * MiB
    max_body_bytes: int = 4 * MiB
    clock_skew: timedelta = timedelta(minutes=10)


# ------------------------------------------------------------------------------ writing
@dataclass
class OutFile:
    path: str
    role: str
    media_type: str
    data: bytes | None = None
    src: Path | None = None
    name: str | None = None
    # Size and SHA-256 of ``src`` when the caller already knows them (taken when the file was
    # spooled); the bytes written are checked against them, so a changed file fails the write.
    size: int | None = None
    sha256: str | None = None


@dataclass
class OutItem:
    type: str
    version: int
    classification: str
    files: list[OutFile]
    ref: str = ""


@dataclass
class BuiltPackage:
    path: Path
    file_name: str
    manifest: dict
    manifest_bytes: bytes
    manifest_sha256: str
    package_sha256: str
    size: int


@dataclass
class PreparedPackage:
    """A package whose manifest is final: what remains is to sign it and write the file."""

    file_name: str
    manifest: dict
    manifest_bytes: bytes
    manifest_sha256: str
    sender_fpr: str
    sources: list[tuple[str, int, str, tuple]]  # member path, size, sha256 of the bytes stored, source


def _file_digest(f: OutFile) -> tuple[int, str]:
    if f.data is not None:
        return len(f.data), hashlib.sha256(f.data).hexdigest()
    if f.size is not None and f.sha256 is not None:
        return f.size, f.sha256
    digest, size = hashlib.sha256(), 0
    with open(f.src, "rb") as fh:
        while chunk := fh.read(CHUNK * 16):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def prepare_package(*, channel: str, sender_fpr: str, sender_name: str, seq: int, uuid: str, prev: str,
                    created: datetime, expires: datetime, items: list[OutItem], gpg: GnuPG | None = None,
                    recipients: list[str] | None = None, workdir: Path | None = None) -> PreparedPackage:
    """Build the manifest (encrypting the files first on encrypted channels, into ``workdir``)."""
    entries, sources = [], []
    for index, item in enumerate(items):
        files = []
        for f in item.files:
            size, digest = _file_digest(f)
            entry = {"path": f.path, "role": f.role, "media_type": f.media_type, "size": size, "sha256": digest}
            if f.name:
                entry["name"] = f.name
            source: tuple = ("data", f.data) if f.data is not None else ("file", f.src)
            if recipients:
                plain = Path(workdir) / f"plain-{index}-{len(sources)}"
                cipher = Path(workdir) / f"cipher-{index}-{len(sources)}"
                if f.data is not None:
                    plain.write_bytes(f.data)
                else:
                    plain = Path(f.src)
                gpg.encrypt_file(plain, cipher, recipients)
                csize, cdigest = _file_digest(OutFile(f.path, f.role, f.media_type, src=cipher))
                entry.update(plain_size=size, plain_sha256=digest, size=csize, sha256=cdigest)
                source = ("file", cipher)
            files.append(entry)
            sources.append((f.path, entry["size"], entry["sha256"], source))
        entries.append({"index": index, "type": item.type, "version": item.version,
                        "classification": item.classification, "ref": item.ref, "files": files})
    manifest = {
        "format": FORMAT, "channel": channel, "sender": {"fingerprint": sender_fpr, "name": sender_name},
        "seq": seq, "uuid": uuid, "created": format_time(created), "expires": format_time(expires),
        "prev": prev, "items": entries,
    }
    if recipients:
        manifest["encryption"] = {"scheme": "openpgp", "recipients": sorted(recipients)}
    manifest_bytes = canonical.dumps(manifest)
    return PreparedPackage(package_file_name(channel, seq, uuid), manifest, manifest_bytes,
                           hashlib.sha256(manifest_bytes).hexdigest(), sender_fpr, sources)


def write_package(prepared: PreparedPackage, signature: bytes, dest_dir: Path, *, durable: bool = True) -> BuiltPackage:
    """Write the signed package into ``dest_dir`` (temporary name, flushed to disk, then renamed).

    Files whose SHA-256 was taken earlier are hashed again as they are copied, so the package
    never declares a digest its bytes do not have.
    """
    name = prepared.file_name
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest_dir / f".{name}.part"
    digest, written, mtime = hashlib.sha256(), 0, 0

    def emit(out, chunk: bytes) -> None:
        nonlocal written
        out.write(chunk)
        digest.update(chunk)
        written += len(chunk)

    try:
        with open(tmp, "wb") as out:
            for member, data in ((MANIFEST_NAME, prepared.manifest_bytes), (SIGNATURE_NAME, signature)):
                emit(out, container.header(member, len(data), mtime))
                emit(out, data + container.padding(len(data)))
            for path, size, sha256, (kind, value) in prepared.sources:
                emit(out, container.header(path, size, mtime))
                if kind == "data":
                    emit(out, value)
                else:
                    member_digest, copied = hashlib.sha256(), 0
                    with open(value, "rb") as fh:
                        while copied < size and (chunk := fh.read(min(CHUNK * 16, size - copied))):
                            member_digest.update(chunk)
                            copied += len(chunk)
                            emit(out, chunk)
                    if copied != size or member_digest.hexdigest() != sha256:
                        raise OSError(f"{value} changed after its digest was taken")
                emit(out, container.padding(size))
            emit(out, container.trailer(written))
            out.flush()
            if durable:
                os.fsync(out.fileno())
        final = dest_dir / name
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return BuiltPackage(final, name, prepared.manifest, prepared.manifest_bytes, prepared.manifest_sha256,
                        digest.hexdigest(), written)


def build_package(dest_dir: Path, *, channel: str, sender_fpr: str, sender_name: str, seq: int, uuid: str,
                  prev: str, created: datetime, expires: datetime, items: list[OutItem], gpg: GnuPG,
                  recipients: list[str] | None = None, workdir: Path | None = None) -> BuiltPackage:
    """Write a signed package into ``dest_dir`` (temporary name, then rename)."""
    prepared = prepare_package(channel=channel, sender_fpr=sender_fpr, sender_name=sender_name, seq=seq, uuid=uuid,
                               prev=prev, created=created, expires=expires, items=items, gpg=gpg,
                               recipients=recipients, workdir=workdir)
    return write_package(prepared, gpg.sign_detached(prepared.manifest_bytes, sender_fpr), dest_dir)


# ------------------------------------------------------------------------------ reading
@dataclass
class PayloadFile:
    path: str
    role: str
    media_type: str
    size: int
    sha256: str
    name: str | None
    source: Path
    offset: int

    def chunks(self) -> Iterator[bytes]:
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


def verify_package(path: Path, *, gpg: GnuPG, pinned: Mapping[str, set[str]], channel: str | None = None,
                   encrypted_channels: set[str] = frozenset(), limits: Limits = Limits(), now: datetime | None = None,
                   check_freshness: bool = True, expected_name: str | None = None,
                   workdir: Path | None = None) -> VerifiedPackage:
    """Verify ``path`` completely; raise :class:`PackageRejected` at the first problem.

    ``pinned`` maps each acceptable channel to the fingerprints allowed to sign on it; with
    ``channel`` given only that channel is acceptable. Encrypted files are decrypted into
    ``workdir``, which must then be given.
    """
    path = Path(path)
    accept = {channel: set(pinned.get(channel, ()))} if channel else {k: set(v) for k, v in pinned.items()}
    fd, size = _open_regular(path, limits)
    try:
        members = container.scan(fd, size, limits.max_members)
        _check_members(members, limits)
        manifest_bytes = os.pread(fd, members[0].size, members[0].offset)
        signature = os.pread(fd, members[1].size, members[1].offset)
        sigpacket.check_structure(signature)
        sigpacket.check_digest_prefix(signature, manifest_bytes)
        sig = gpg.verify_detached(signature, manifest_bytes)
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
        items = _verify_payload(fd, members[2:], manifest, encrypted, gpg, limits, path, workdir)
    finally:
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


def _hash_member(fd: int, member: container.Member, copy_to: Path | None) -> tuple[str, bytes]:
    digest, head, offset, end = hashlib.sha256(), b"", member.offset, member.offset + member.size
    out = open(copy_to, "wb") if copy_to else None  # noqa: SIM115
    try:
        while offset < end:
            chunk = os.pread(fd, min(CHUNK * 16, end - offset), offset)
            if not chunk:
                raise PackageRejected("container", "the file is shorter than its headers say")
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            if out:
                out.write(chunk)
            offset += len(chunk)
    finally:
        if out:
            out.close()
    return digest.hexdigest(), head


def _verify_payload(fd, members, manifest, encrypted, gpg, limits, path, workdir) -> list[VerifiedItem]:
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
            digest, _ = _hash_member(fd, m, cipher)
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
            source, offset, size = plain, 0, psize
        else:
            digest, head = _hash_member(fd, m, None)
            if digest != f["sha256"]:
                raise PackageRejected("file_hash", m.name)
            source, offset, size = path, m.offset, m.size
        problem = mediatypes.check(f["media_type"], head)
        if problem:
            raise PackageRejected("media_type", f"{m.name}: {problem}")
        pf = PayloadFile(f["path"], f["role"], f["media_type"], size, f.get("plain_sha256", f["sha256"]),
                         f.get("name"), source, offset)
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
