"""Sealing bid files while they are received: no plaintext ever reaches the disk.

One ``gpg --multifile --encrypt`` process per upload seals everything of the bid: gpg reads the
names of its inputs from its stdin, one a line, and encrypts each to the tender's bid-opening
public key before it reads the next name. Every input is a named pipe (FIFO) in the bid's staging
directory, fed chunk by chunk while the upload streams; a FIFO keeps no data on disk, and gpg
writes only ciphertext. The SHA-256 of the plaintext is computed on the fly and the content type is
sniffed from the first bytes, held in memory until there are enough of them. Every ``part_bytes``
of plaintext the current input is closed and the next one named, so a file is a series of
independent OpenPGP messages of bounded size (the exchange carries them one per package member),
all made by the same process: one process start per bid, however many files and parts it has,
instead of one per part. Memory stays flat in file size.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
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
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR"}}
    env["LC_ALL"] = "C"
    return env


def encrypt_command() -> list[str]:
    return [GPG, "--homedir", str(gnupg_home()), "--batch", "--no-tty", "--no-options", "--no-keyring",
            "--no-random-seed-file", "--no-auto-key-retrieve", "--trust-model", "always", "--status-fd", "2",
            "--compress-algo", "none", "--cipher-algo", "AES256", "--yes", "--multifile", "--encrypt"]


def _widen_pipe(fd: int) -> None:
    """Let a whole upload chunk fit in the pipe to gpg: with the default 64 KiB pipe every 1 MiB
    chunk costs a dozen sleep/wake round trips between the worker thread and gpg."""
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, BidUploadHandler.chunk_size)
    except OSError:  # above /proc/sys/fs/pipe-max-size for an unprivileged process: keep the default
        pass


def _failed() -> SealingError:
    return SealingError("encryption", _("The bid could not be encrypted. Please try again."))


class Encryptor:
    """The one gpg process of an upload, sealing one OpenPGP message after another into ``directory``.

    :meth:`begin` names the next message (its final path), :meth:`write` feeds its plaintext,
    :meth:`end` waits until gpg has finished it, :meth:`close` ends the process. The process is
    started on the first :meth:`begin`; after :meth:`abort` the next :meth:`begin` starts a new one.
    """

    def __init__(self, key_file: Path, directory: Path):
        self.key_file, self.directory = key_file, directory
        self.proc: subprocess.Popen | None = None
        self.stream = None
        self.fifo: Path | None = None
        self.target: Path | None = None
        self.plain = 0

    def _spawn(self) -> None:
        self.proc = subprocess.Popen([*encrypt_command(), "--recipient-file", str(self.key_file)],
                                     cwd=self.directory, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=_env())

    def _status_until(self, word: str) -> list[str]:
        """gpg's status lines up to and including ``word`` (it reports each input in turn)."""
        lines = []
        while line := self.proc.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            lines.append(text)
            if text.startswith(f"[GNUPG:] {word}"):
                return lines
        log.error("gpg encryption failed: %s", "\n".join(lines)[-500:])
        raise _failed()

    def _open_fifo(self) -> int:
        # gpg opens the FIFO right after announcing it; a non-blocking open never hangs on a dead gpg.
        give_up = time.monotonic() + 60
        while True:
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO or self.proc.poll() is not None or time.monotonic() > give_up:
                    raise
                time.sleep(0.0005)
                continue
            os.set_blocking(fd, True)
            return fd

    def begin(self, target: Path) -> None:
        if self.proc is None:
            self._spawn()
        self.target, self.plain = target, 0
        self.fifo = target.with_name(f"{target.stem}.in")
        try:
            os.mkfifo(self.fifo, 0o600)
            self.proc.stdin.write(self.fifo.name.encode() + b"\n")
            self.proc.stdin.flush()
            self._status_until("FILE_START")
            fd = self._open_fifo()
        except OSError:
            raise _failed() from None
        _widen_pipe(fd)
        self.stream = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            self.stream.write(data)
        except (BrokenPipeError, OSError):
            raise _failed() from None
        self.plain += len(data)

    def end(self) -> dict:
        try:
            self.stream.close()  # end of input: gpg finishes this message
        except OSError:
            raise _failed() from None
        self.stream = None
        lines = self._status_until("FILE_DONE")
        output = self.directory / f"{self.fifo.name}.gpg"
        self.fifo.unlink(missing_ok=True)
        if "[GNUPG:] END_ENCRYPTION" not in lines or not output.exists():
            log.error("gpg encryption failed: %s", "\n".join(lines)[-500:])
            raise _failed()
        target, self.target, self.fifo = self.target, None, None
        os.replace(output, target)
        return {"path": target.name, "size": target.stat().st_size}

    def close(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()
        except OSError:
            pass
        rest = proc.stderr.read()
        rc = proc.wait(timeout=120)
        proc.stderr.close()
        if rc != 0:
            log.error("gpg encryption failed: %s", rest.decode(errors="replace")[-500:])
            raise _failed()

    def abort(self) -> None:
        """Stop gpg and remove the message in progress (finished ones are the caller's)."""
        if self.stream is not None:
            try:
                self.stream.close()
            except OSError:
                pass
            self.stream = None
        if self.proc is not None:
            proc, self.proc = self.proc, None
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.fifo is not None:
            self.fifo.unlink(missing_ok=True)
            (self.directory / f"{self.fifo.name}.gpg").unlink(missing_ok=True)
            self.fifo = None
        if self.target is not None:
            self.target.unlink(missing_ok=True)
            self.target = None


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
    """Encrypts one file as it arrives through the upload's :class:`Encryptor`: sniff, hash, size cap,
    parts."""

    def __init__(self, encryptor: Encryptor, index: int, name: str, *, limit: int,
                 allowed: set[str] | None = BID_TYPES, part_size: int | None = None):
        self.encryptor, self.limit, self.allowed = encryptor, limit, allowed
        self.part_size = part_size or part_bytes()
        self.result = SealedFile(index, name)
        self.digest = hashlib.sha256()
        self.head = b""
        self.sniffed = False
        self.in_part = False

    def _check_type(self) -> None:
        media_type = sniff(self.head) if self.head else "application/x-empty"
        if self.allowed is not None and media_type not in self.allowed:
            raise SealingError("file_type", _("The file “%(name)s” is of a type that is not accepted (%(type)s). "
                                              "Accepted: PDF, Word, Excel, ZIP, JPEG, PNG.")
                               % {"name": self.result.name, "type": media_type})
        self.result.media_type = media_type
        self.sniffed = True

    def _emit(self, data: bytes) -> None:
        enc = self.encryptor
        while data:
            if not self.in_part:
                enc.begin(enc.directory / f"f{self.result.index:02d}-p{len(self.result.parts):05d}.pgp")
                self.in_part = True
            room = self.part_size - enc.plain
            enc.write(data[:room] if room < len(data) else data)
            data = data[room:]
            if enc.plain >= self.part_size:
                self.in_part = False
                self.result.parts.append(enc.end())

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
        if self.in_part:
            self.in_part = False
            self.result.parts.append(self.encryptor.end())
        self.result.sha256 = self.digest.hexdigest()
        return self.result

    def abort(self) -> None:
        self.head = b""
        if self.in_part:
            self.in_part = False
            self.encryptor.abort()


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
        self.encryptor = Encryptor(key_file, self.staging)
        self.sealed: list[SealedFile] = []
        self.current: FileSealer | None = None
        self.error: SealingError | None = None
        self.kept = False

    def seal_document(self, index: int, name: str, data: bytes) -> SealedFile:
        """Seal a small in-memory document (the bid form) with the upload's own gpg process, as the
        last thing it encrypts: the process ends here, so every ciphertext file is complete."""
        self.staging.mkdir(parents=True, exist_ok=True)
        sealer = FileSealer(self.encryptor, index, name, limit=max(len(data), 1), allowed=None)
        try:
            sealer.feed(data)
            sealed = sealer.finish()
            self.encryptor.close()
        except BaseException:
            sealer.abort()
            self.encryptor.abort()
            raise
        return sealed

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
        self.current = FileSealer(self.encryptor, len(self.sealed) + 1, file_name[:255], limit=self.limit)

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
        self.encryptor.abort()
        if not self.kept:
            shutil.rmtree(self.staging, ignore_errors=True)
