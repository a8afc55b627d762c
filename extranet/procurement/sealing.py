"""Sealing bid files while they are received: no plaintext ever reaches the disk.

Each uploaded file is piped, chunk by chunk, into ``gpg --encrypt`` to the tender's bid-opening
public key; gpg writes only ciphertext, straight into the bid's staging directory. The SHA-256 of
the plaintext is computed on the fly and the content type is sniffed from the first bytes, held
in memory until there are enough of them. Every ``part_bytes`` of plaintext the current gpg
process is closed and a new one started, so a file is a series of independent OpenPGP messages of
bounded size (the exchange carries them one per package member). Memory stays flat in file size.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from common.uploads import SNIFF_BYTES, sniff
from extranet.procurement import clock
from extranet.procurement.models import private_root

log = logging.getLogger(__name__)
GPG = "gpg"
MiB = 1024 * 1024
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)

# What a bid file may be, judged by content: PDF, Office documents, zip archives, images.
BID_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "image/jpeg",
    "image/png",
}


class SealingError(Exception):
    """A bid upload that cannot be accepted; ``message`` is for the supplier."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def bid_store() -> Path:
    return private_root() / "bids"


def max_file_bytes() -> int:
    return int(getattr(settings, "JINCAI_PROCUREMENT_MAX_FILE_BYTES", 256 * MiB))


def max_files() -> int:
    return int(getattr(settings, "JINCAI_PROCUREMENT_MAX_FILES", 10))


def part_bytes() -> int:
    return int(getattr(settings, "JINCAI_PROCUREMENT_PART_BYTES", 4 * MiB))


def gnupg_home() -> Path:
    """An empty GnuPG home: encryption uses the key file given, never a keyring."""
    home = private_root() / "gnupg"
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    return home


def _env() -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR"}}
    env["LC_ALL"] = "C"
    return env


def encrypt_command(key_file: Path, output: Path) -> list[str]:
    return [GPG, "--homedir", str(gnupg_home()), "--batch", "--no-tty", "--no-options", "--no-keyring",
            "--no-random-seed-file", "--no-auto-key-retrieve", "--trust-model", "always", "--status-fd", "2",
            "--compress-algo", "none", "--cipher-algo", "AES256", "--recipient-file", str(key_file), "--output",
            str(output), "--encrypt"]


def _widen_pipe(stream) -> None:
    """Let a whole upload chunk fit in the pipe to gpg: with the default 64 KiB pipe every 1 MiB
    chunk costs a dozen sleep/wake round trips between the worker thread and gpg."""
    try:
        fcntl.fcntl(stream.fileno(), F_SETPIPE_SZ, BidUploadHandler.chunk_size)
    except OSError:  # above /proc/sys/fs/pipe-max-size for an unprivileged process: keep the default
        pass


class _Part:
    """One gpg process turning plaintext on its stdin into one OpenPGP message on disk."""

    def __init__(self, key_file: Path, path: Path):
        self.path = path
        self.proc = subprocess.Popen(encrypt_command(key_file, path), stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
        _widen_pipe(self.proc.stdin)
        self.plain = 0

    def write(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, OSError):
            raise SealingError("encryption", _("The bid could not be encrypted. Please try again.")) from None
        self.plain += len(data)

    def close(self) -> dict:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        status = self.proc.stderr.read()
        rc = self.proc.wait(timeout=120)
        self.proc.stderr.close()
        if rc != 0 or b"[GNUPG:] END_ENCRYPTION" not in status:
            log.error("gpg encryption failed: %s", status.decode(errors="replace")[-500:])
            raise SealingError("encryption", _("The bid could not be encrypted. Please try again."))
        return {"path": self.path.name, "size": self.path.stat().st_size}

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        self.path.unlink(missing_ok=True)


@dataclass
class SealedFile:
    index: int
    name: str
    media_type: str = ""
    size: int = 0
    sha256: str = ""
    parts: list[dict] = field(default_factory=list)

    def manifest(self) -> dict:
        return {"index": self.index, "name": self.name, "size": self.size, "sha256": self.sha256,
                "media_type": self.media_type, "parts": len(self.parts)}


class FileSealer:
    """Encrypts one file as it arrives: sniff, hash, size cap, parts."""

    def __init__(self, key_file: Path, directory: Path, index: int, name: str, *, limit: int,
                 allowed: set[str] | None = BID_TYPES, part_size: int | None = None):
        self.key_file, self.directory, self.limit, self.allowed = key_file, directory, limit, allowed
        self.part_size = part_size or part_bytes()
        self.result = SealedFile(index, name)
        self.digest = hashlib.sha256()
        self.head = b""
        self.sniffed = False
        self.part: _Part | None = None

    def _check_type(self) -> None:
        media_type = sniff(self.head) if self.head else "application/x-empty"
        if self.allowed is not None and media_type not in self.allowed:
            raise SealingError("file_type", _("The file “%(name)s” is of a type that is not accepted (%(type)s). "
                                              "Accepted: PDF, Word, Excel, ZIP, JPEG, PNG.")
                               % {"name": self.result.name, "type": media_type})
        self.result.media_type = media_type
        self.sniffed = True

    def _emit(self, data: bytes) -> None:
        while data:
            if self.part is None:
                path = self.directory / f"f{self.result.index:02d}-p{len(self.result.parts):05d}.pgp"
                self.part = _Part(self.key_file, path)
            room = self.part_size - self.part.plain
            self.part.write(data[:room])
            data = data[room:]
            if self.part.plain >= self.part_size:
                self.result.parts.append(self.part.close())
                self.part = None

    def feed(self, data: bytes) -> None:
        self.result.size += len(data)
        if self.result.size > self.limit:
            raise SealingError("too_large", _("The file “%(name)s” is larger than the limit of %(limit)d MB.")
                               % {"name": self.result.name, "limit": self.limit // MiB})
        self.digest.update(data)
        if not self.sniffed:
            self.head += data
            if len(self.head) < SNIFF_BYTES:
                return
            self._check_type()
            data, self.head = self.head, b""
        self._emit(data)

    def finish(self) -> SealedFile:
        if self.result.size == 0:
            raise SealingError("empty", _("The file “%(name)s” is empty.") % {"name": self.result.name})
        if not self.sniffed:
            self._check_type()
            data, self.head = self.head, b""
            self._emit(data)
        if self.part is not None:
            self.result.parts.append(self.part.close())
            self.part = None
        self.result.sha256 = self.digest.hexdigest()
        return self.result

    def abort(self) -> None:
        self.head = b""
        if self.part is not None:
            self.part.abort()
            self.part = None


def seal_bytes(key_file: Path, directory: Path, index: int, name: str, data: bytes) -> SealedFile:
    """Seal a small in-memory document (the bid form) the same way as the uploaded files."""
    sealer = FileSealer(key_file, directory, index, name, limit=max(len(data), 1), allowed=None)
    try:
        sealer.feed(data)
        return sealer.finish()
    except BaseException:
        sealer.abort()
        raise


class SealedUpload(UploadedFile):
    """What the view sees in ``request.FILES``: the metadata of a sealed file, no content."""

    def __init__(self, sealed: SealedFile):
        super().__init__(file=None, name=sealed.name, content_type=sealed.media_type, size=sealed.size)
        self.sealed = sealed

    def open(self, mode=None):
        raise ValueError("a sealed upload has no readable content")


class BidUploadHandler(FileUploadHandler):
    """The only upload handler of the bid view: files go through :class:`FileSealer` into a staging
    directory; on any problem the handler records it, stops the upload and removes what it wrote."""

    chunk_size = 1 << 20  # fewer, larger writes into gpg; memory stays bounded per upload

    def __init__(self, request, *, key_file: Path, deadline, limit: int | None = None, count: int | None = None):
        super().__init__(request)
        self.key_file, self.deadline = key_file, deadline
        self.limit, self.count = limit or max_file_bytes(), count or max_files()
        self.staging = bid_store() / ".staging" / uuid.uuid4().hex
        self.sealed: list[SealedFile] = []
        self.current: FileSealer | None = None
        self.error: SealingError | None = None
        self.kept = False

    def _stop(self, error: SealingError, *, reset: bool = False):
        self.error = self.error or error
        if self.current is not None:
            self.current.abort()
            self.current = None
        raise StopUpload(connection_reset=reset)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.count * self.limit + MiB:
            # Refused before reading: the body is never looked at.
            self.error = SealingError("too_large", _("The upload is larger than %(n)d files of %(limit)d MB.")
                                      % {"n": self.count, "limit": self.limit // MiB})
            return QueryDict(), MultiValueDict()
        if clock.now() >= self.deadline:
            self.error = SealingError("closed", _("The bid deadline has passed; no bids are accepted."))
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if field_name != "files":
            self._stop(SealingError("field", _("Unexpected file field.")))
        if len(self.sealed) >= self.count:
            self._stop(SealingError("too_many", _("A bid may have at most %(n)d files.") % {"n": self.count}))
        if clock.now() >= self.deadline:
            self._stop(SealingError("closed", _("The bid deadline has passed; no bids are accepted.")))
        self.staging.mkdir(parents=True, exist_ok=True)
        self.current = FileSealer(self.key_file, self.staging, len(self.sealed) + 1, file_name[:255], limit=self.limit)

    def receive_data_chunk(self, raw_data, start):
        if self.current is None:
            return None
        try:
            self.current.feed(raw_data)
        except SealingError as exc:
            self._stop(exc)
        return None

    def file_complete(self, file_size):
        if self.current is None:
            return None
        try:
            sealed = self.current.finish()
        except SealingError as exc:
            self.current.abort()
            self.current = None
            self.error = self.error or exc
            return None
        self.current = None
        self.sealed.append(sealed)
        return SealedUpload(sealed)

    def upload_interrupted(self):
        self.error = self.error or SealingError(
            "interrupted", _("The upload was interrupted before it was complete; nothing was stored."))
        if self.current is not None:
            self.current.abort()
            self.current = None

    def upload_complete(self):
        if self.current is not None:  # a file that never reached its closing boundary
            self.current.abort()
            self.current = None
            self.error = self.error or SealingError(
                "interrupted", _("The upload was interrupted before it was complete; nothing was stored."))

    def discard(self) -> None:
        """Remove everything this upload wrote unless it was kept (moved to its final place)."""
        if self.current is not None:
            self.current.abort()
            self.current = None
        if not self.kept:
            shutil.rmtree(self.staging, ignore_errors=True)
