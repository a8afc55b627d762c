"""Bid-opening keys: one OpenPGP key pair per tender, made and kept on the intranet.

Each tender has its own GnuPG home under the intranet data dir. Its secret key is protected by a
random passphrase, and that passphrase is stored only encrypted (OpenPGP, AES-256) under the
procurement vault key, a file outside the database (``JINCAI_PROCUREMENT_VAULT_KEY_FILE``, by
default ``<intranet data dir>/procurement/vault.key``, mode 0600). Opening needs the tender's
GnuPG home, the sealed passphrase in the database and the vault key, and is done only through
:func:`intranet.procurement.services.opening.open_bids` (opener role and a fresh OTP).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import gnupg
from django.conf import settings

from intranet.procurement.models import Tender, procurement_root

GPG = "gpg"
CHUNK = 1 << 20
_TIMEOUT = 600


class KeyFailure(Exception):
    pass


class DecryptionFailed(Exception):
    pass


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR"}}
    env["LC_ALL"] = "C"
    return env


def tender_home(tender: Tender) -> Path:
    return procurement_root() / "keys" / tender.tender_id


def vault_key_file() -> Path:
    path = Path(os.environ.get("JINCAI_PROCUREMENT_VAULT_KEY_FILE")
                or getattr(settings, "JINCAI_PROCUREMENT_VAULT_KEY_FILE", "")
                or procurement_root() / "vault.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path


def _base(home: Path) -> list[str]:
    return [GPG, "--homedir", str(home), "--batch", "--no-tty", "--no-options", "--no-auto-key-retrieve"]


def _vault(args: list[str], data: bytes) -> bytes:
    work = procurement_root() / "vault-gnupg"
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o700)
    cmd = [*_base(work), "--no-keyring", "--pinentry-mode", "loopback", "--passphrase-file", str(vault_key_file()),
           *args]
    proc = subprocess.run(cmd, input=data, capture_output=True, env=_env(), timeout=60, check=False)
    if proc.returncode != 0:
        raise KeyFailure(f"vault operation failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return proc.stdout


def seal_passphrase(passphrase: str) -> str:
    return _vault(["--symmetric", "--cipher-algo", "AES256", "--armor", "--output", "-"],
                  passphrase.encode()).decode()


def unseal_passphrase(sealed: str) -> str:
    return _vault(["--decrypt", "--output", "-"], sealed.encode()).decode()


def create_key_pair(tender: Tender) -> tuple[str, str, str]:
    """Make the tender's key pair; returns (fingerprint, armored public key, sealed passphrase)."""
    home = tender_home(tender)
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, mode=0o700)
    # A fixed S2K count instead of gpg-agent's calibration, which can take seconds on a busy host.
    (home / "gpg-agent.conf").write_text("s2k-count 8388608\n")
    passphrase = secrets.token_urlsafe(32)
    gpg = gnupg.GPG(gpgbinary=GPG, gnupghome=str(home), env=_env())
    params = gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", key_usage="sign", subkey_type="ECDH",
                               subkey_curve="cv25519", subkey_usage="encrypt", expire_date="0",
                               name_real=f"Jincai bid opening {tender.reference}"[:100],
                               name_email=f"tender-{tender.tender_id.lower()}@jincai.invalid",
                               passphrase=passphrase)
    result = gpg.gen_key(params)
    if not result.fingerprint:
        raise KeyFailure(f"key generation failed: {result.stderr[-300:]}")
    public = gpg.export_keys(result.fingerprint, armor=True)
    forget(tender)
    return result.fingerprint.upper(), public, seal_passphrase(passphrase)


def forget(tender: Tender) -> None:
    """Stop the tender's gpg-agent so no unlocked key or cached passphrase outlives an operation."""
    home = tender_home(tender)
    gpgconf = shutil.which("gpgconf")
    if gpgconf and home.exists():
        subprocess.run([gpgconf, "--homedir", str(home), "--kill", "all"], capture_output=True, env=_env(),
                       timeout=30, check=False)


def decrypt_parts(tender: Tender, passphrase: str, parts: list[Path], sink, max_bytes: int
                  ) -> tuple[int, str, bytes]:
    """Decrypt the parts of one file in order into ``sink`` (a binary file object, or None),
    hashing the plaintext. Returns (size, sha256, first 8 KiB). Raises :class:`DecryptionFailed` on
    any failure, including ciphertext without integrity protection."""
    digest, size, head = hashlib.sha256(), 0, b""
    for part in parts:
        for chunk in _decrypt_one(tender, passphrase, part):
            size += len(chunk)
            if size > max_bytes:
                raise DecryptionFailed("the decrypted file is larger than declared")
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
    return size, digest.hexdigest(), head


def _decrypt_one(tender: Tender, passphrase: str, part: Path):
    home = tender_home(tender)
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as status:
        cmd = [*_base(home), "--pinentry-mode", "loopback", "--passphrase-fd", str(read_fd), "--status-fd", "2",
               "--decrypt", str(part)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=status, pass_fds=(read_fd,), env=_env())
        os.close(read_fd)
        with os.fdopen(write_fd, "w") as fh:
            fh.write(passphrase + "\n")
        # A part's plaintext is released only once gpg has confirmed its integrity, so one part (a few
        # MB; the exchange caps any member at 64 MB) is held in memory at a time.
        chunks = []
        try:
            while chunk := proc.stdout.read(CHUNK):
                chunks.append(chunk)
            rc = proc.wait(timeout=_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        status.seek(0)
        lines = status.read().decode(errors="replace").splitlines()
    words = {line.split()[1] for line in lines if line.startswith("[GNUPG:] ") and len(line.split()) > 1}
    if rc != 0 or "DECRYPTION_OKAY" not in words or "DECRYPTION_FAILED" in words:
        raise DecryptionFailed("decryption failed")
    if "GOODMDC" not in words and not any(line.startswith("[GNUPG:] DECRYPTION_INFO") and len(line.split()) > 4
                                          and line.split()[4] != "0" for line in lines):
        raise DecryptionFailed("the ciphertext has no integrity protection")
    yield from chunks
