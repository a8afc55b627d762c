"""Writing package files (docs/exchange-format.md, sections 3 to 5 and 13). Pure library: no Django."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from exchange import canonical, container
from exchange.gpg import GnuPG
from exchange.manifest import FORMAT, MANIFEST_NAME, SIGNATURE_NAME, format_time, package_file_name

CHUNK = 1 << 16


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
