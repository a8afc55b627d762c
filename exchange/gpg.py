"""OpenPGP through GnuPG: keys, detached signatures, encryption.

Key management goes through python-gnupg. Signing and decryption, which run once per
package, call ``gpg`` directly with ``--status-fd`` and read the machine-readable status lines
strictly: a signature is good only when GnuPG reports exactly one signature, GOODSIG and
VALIDSIG for it, and no error or expiry/revocation status. The GnuPG trust database is never
consulted (``--trust-model always``); whether a signer is acceptable is decided by the caller
against the fingerprints pinned for a channel.

Package signatures are verified in-process by :meth:`GnuPG.verify_pinned` (Sequoia-PGP through
pysequoia) against the certificates of exactly the pinned fingerprints, exported from this
GnuPG home: GnuPG stays the keystore. A gpg process runs only to explain a rejection.

No Django here: the province simulator uses this module on its own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import gnupg
import pysequoia

GPG_BINARY = os.environ.get("JINCAI_GPG_BINARY", "gpg")
FPR_LEN = 40
_TIMEOUT = 120


class GPGError(Exception):
    pass


@dataclass
class Signature:
    valid: bool
    fingerprint: str = ""  # the primary key's fingerprint
    signing_fingerprint: str = ""  # the (sub)key that made the signature
    created: int = 0
    problem: str = ""
    status: list[str] = field(default_factory=list)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR", "SYSTEMROOT"}}
    env["LC_ALL"] = "C"
    return env


def normalize_fingerprint(value: str) -> str:
    fpr = "".join(value.split()).upper()
    if len(fpr) != FPR_LEN or any(c not in "0123456789ABCDEF" for c in fpr):
        raise ValueError(f"not a full OpenPGP v4 fingerprint: {value!r}")
    return fpr


# gpg-agent puts its sockets in the home directory; a Unix socket path is limited to 107 bytes.
SOCKET_PATH_ROOM = 80


def short_home(home: Path) -> Path:
    """``home`` itself, or a short symlink to it when its path leaves no room for the sockets."""
    home = Path(home).absolute()
    if len(os.fsencode(home)) <= SOCKET_PATH_ROOM:
        return home
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    links = Path(tempfile.gettempdir()) / f"jincai-gnupg-{os.getuid()}"
    links.mkdir(mode=0o700, exist_ok=True)
    link = links / hashlib.sha256(os.fsencode(home)).hexdigest()[:16]
    if not link.is_symlink() or Path(os.readlink(link)) != home:
        tmp = links / f".{link.name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(home, target_is_directory=True)
        tmp.replace(link)  # atomic, so concurrent processes agree
    return link


class GnuPG:
    """One GnuPG home directory."""

    def __init__(self, home: str | os.PathLike, passphrase_file: str | None = None):
        self.home = short_home(Path(home))
        self.passphrase_file = passphrase_file
        self._py = None
        self._certs: dict[str, tuple[tuple, pysequoia.Cert | None]] = {}  # fpr -> (keyring stamp, cert)
        self._certs_lock = threading.Lock()

    # -- housekeeping -------------------------------------------------------------------
    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o700)
        (self.home / "tmp").mkdir(mode=0o700, exist_ok=True)

    @property
    def py(self) -> gnupg.GPG:
        if self._py is None:
            self.ensure_home()
            self._py = gnupg.GPG(gpgbinary=GPG_BINARY, gnupghome=str(self.home), env=_env())
            self._py.encoding = "utf-8"
        return self._py

    def _base(self) -> list[str]:
        return [GPG_BINARY, "--homedir", str(self.home), "--batch", "--no-tty", "--no-options",
                "--no-auto-key-retrieve", "--no-auto-key-locate", "--no-permission-warning"]

    def _passphrase_args(self) -> list[str]:
        if not self.passphrase_file:
            return []
        return ["--pinentry-mode", "loopback", "--passphrase-file", str(self.passphrase_file)]

    def kill_agent(self) -> None:
        gpgconf = shutil.which("gpgconf")
        if gpgconf and self.home.exists():
            subprocess.run([gpgconf, "--homedir", str(self.home), "--kill", "all"],
                           capture_output=True, env=_env(), timeout=30, check=False)

    # -- keys -----------------------------------------------------------------------------
    def generate_key(self, name: str, email: str) -> str:
        """An Ed25519 signing key with a Curve25519 encryption subkey; returns its fingerprint."""
        params = {
            "key_type": "EDDSA", "key_curve": "ed25519", "key_usage": "sign",
            "subkey_type": "ECDH", "subkey_curve": "cv25519", "subkey_usage": "encrypt",
            "name_real": name, "name_email": email, "expire_date": "0",
        }
        if self.passphrase_file:
            params["passphrase"] = Path(self.passphrase_file).read_text().rstrip("\n")
        else:
            params["no_protection"] = True
        result = self.py.gen_key(self.py.gen_key_input(**params))
        if not result.fingerprint:
            raise GPGError(f"key generation failed: {result.stderr[-500:]}")
        return normalize_fingerprint(result.fingerprint)

    def secret_fingerprints(self) -> list[str]:
        return [k["fingerprint"] for k in self.py.list_keys(secret=True)]

    def public_fingerprints(self) -> list[str]:
        return [k["fingerprint"] for k in self.py.list_keys()]

    def export_public(self, fingerprint: str) -> str:
        data = self.py.export_keys(fingerprint, armor=True)
        if "BEGIN PGP PUBLIC KEY BLOCK" not in (data or ""):
            raise GPGError(f"no public key {fingerprint} to export")
        return data

    def scan(self, key_data: str | bytes) -> list[dict]:
        """The keys in ``key_data`` without importing them."""
        if isinstance(key_data, bytes):
            key_data = key_data.decode("ascii", errors="strict")
        return list(self.py.scan_keys_mem(key_data))

    def import_public(self, key_data: str | bytes, expected: str | None = None) -> str:
        """Import exactly one public key; refuse secret keys, several keys, or an unexpected one."""
        if isinstance(key_data, bytes):
            try:
                key_data = key_data.decode("ascii")
            except UnicodeDecodeError as exc:
                raise GPGError("the key must be an ASCII-armored public key") from exc
        if "PRIVATE KEY" in key_data:
            raise GPGError("the key file holds a secret key; give the public key only")
        keys = self.scan(key_data)
        if len(keys) != 1 or keys[0].get("type") != "pub":
            raise GPGError(f"the key file must hold exactly one public key (found {len(keys)})")
        fpr = normalize_fingerprint(keys[0]["fingerprint"])
        if expected and fpr != normalize_fingerprint(expected):
            raise GPGError(f"the key is {fpr}, not the expected {expected}")
        result = self.py.import_keys(key_data)
        if fpr not in [normalize_fingerprint(f) for f in result.fingerprints if f]:
            raise GPGError(f"import of {fpr} failed: {result.stderr[-500:]}")
        return fpr

    # -- signatures ------------------------------------------------------------------------
    def sign_detached(self, data: bytes, fingerprint: str) -> bytes:
        """A binary detached signature over ``data`` by exactly the given key."""
        cmd = [*self._base(), *self._passphrase_args(), "--status-fd", "2", "--local-user", f"{fingerprint}!",
               "--digest-algo", "SHA256", "--detach-sign", "--output", "-", "-"]
        proc = subprocess.run(cmd, input=data, capture_output=True, env=_env(), timeout=_TIMEOUT, check=False)
        if proc.returncode != 0 or b"[GNUPG:] SIG_CREATED D " not in proc.stderr:
            raise GPGError(f"signing failed: {proc.stderr.decode(errors='replace')[-500:]}")
        return proc.stdout

    def verify_detached(self, signature: bytes, data: bytes) -> Signature:
        """Check a detached signature; the caller decides whether the signer is acceptable."""
        self.ensure_home()
        with tempfile.NamedTemporaryFile(dir=self.home / "tmp", suffix=".sig") as sig:
            sig.write(signature)
            sig.flush()
            cmd = [*self._base(), "--no-autostart", "--trust-model", "always", "--status-fd", "1",
                   "--verify", sig.name, "-"]
            proc = subprocess.run(cmd, input=data, capture_output=True, env=_env(), timeout=_TIMEOUT, check=False)
        return parse_verify_status(proc.stdout.decode("utf-8", errors="replace"), proc.returncode)

    def _keyring_stamp(self) -> tuple:
        stamp = []
        for name in ("pubring.kbx", "pubring.gpg"):
            try:
                st = os.stat(self.home / name)
            except FileNotFoundError:
                stamp.append(None)
            else:
                stamp.append((st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(stamp)

    def certificate(self, fingerprint: str) -> pysequoia.Cert | None:
        """The public certificate of ``fingerprint`` from this keyring (exported once, again after
        the keyring file changes), or None when the keyring does not hold it."""
        stamp = self._keyring_stamp()
        with self._certs_lock:
            cached = self._certs.get(fingerprint)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            cert = None
            data = self.py.export_keys(fingerprint, armor=False)
            if data:
                certs = pysequoia.Cert.split_bytes(data if isinstance(data, bytes) else data.encode("latin-1"))
                if len(certs) == 1 and certs[0].fingerprint.upper() == fingerprint:
                    cert = certs[0]
            self._certs[fingerprint] = (stamp, cert)
            return cert

    def verify_pinned(self, signature: bytes, data: bytes, fingerprints) -> Signature:
        """Check a detached signature in-process against the certificates of ``fingerprints`` only.

        Valid only when Sequoia finds exactly one good signature by one of those certificates and
        that certificate is neither revoked nor expired now. On any failure GnuPG checks the same
        signature against the whole keyring, only to say why (a signer that is not pinned, or a bad
        signature): a signature GnuPG likes but Sequoia does not is still invalid.
        """
        by_fpr = {}
        for fpr in sorted(fingerprints):
            cert = self.certificate(fpr)
            if cert is not None:
                by_fpr[fpr] = cert
        problem = "no pinned certificate in the keyring"
        if by_fpr:
            certs = list(by_fpr.values())
            try:
                result = pysequoia.verify(bytes=data, store=lambda _ids: certs,
                                          signature=pysequoia.Sig.from_bytes(signature))
                good = result.valid_sigs
            except Exception as exc:  # pysequoia raises RuntimeError (with a Rust backtrace) on failure
                good, problem = [], str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            if len(good) == 1:
                primary, signing = good[0].certificate.upper(), good[0].signing_key.upper()
                cert = by_fpr.get(primary)
                if cert is None:
                    problem = "the signing certificate is not pinned"
                elif cert.is_revoked:
                    problem = "the signing key is revoked"
                elif cert.expiration is not None and cert.expiration <= datetime.now(UTC):
                    problem = "the signing key has expired"
                else:
                    created = pysequoia.Sig.from_bytes(signature).created
                    return Signature(valid=True, fingerprint=primary, signing_fingerprint=signing,
                                     created=int(created.timestamp()) if created else 0)
            elif good:
                problem = "exactly one good signature is required"
        explained = self.verify_detached(signature, data)
        if explained.valid and explained.fingerprint in by_fpr:
            return Signature(valid=False, fingerprint=explained.fingerprint, problem=problem,
                             status=explained.status)
        if explained.valid:  # good, by a key that is not pinned: the caller says so
            return explained
        explained.problem = explained.problem or problem
        return explained

    # -- encryption ------------------------------------------------------------------------
    def encrypt_file(self, src: Path, dst: Path, recipients: list[str]) -> None:
        if not recipients:
            raise GPGError("no recipient key")
        cmd = [*self._base(), "--trust-model", "always", "--status-fd", "2", "--compress-algo", "none",
               "--yes", "--output", str(dst)]
        for fpr in recipients:
            cmd += ["--recipient", f"{fpr}"]
        cmd += ["--encrypt", str(src)]
        proc = subprocess.run(cmd, capture_output=True, env=_env(), timeout=_TIMEOUT, check=False)
        if proc.returncode != 0 or b"[GNUPG:] END_ENCRYPTION" not in proc.stderr:
            raise GPGError(f"encryption failed: {proc.stderr.decode(errors='replace')[-500:]}")

    def decrypt_capped(self, src: Path, dst: Path, max_bytes: int) -> tuple[int, str, bytes]:
        """Decrypt ``src`` into ``dst``, stopping as soon as more than ``max_bytes`` come out.

        Returns (size, sha256 hex, first 8 KiB). Raises GPGError on any failure, including a
        missing integrity check (MDC/AEAD).
        """
        self.ensure_home()
        with tempfile.NamedTemporaryFile(dir=self.home / "tmp", suffix=".status") as status:
            cmd = [*self._base(), *self._passphrase_args(), "--status-file", status.name,
                   "--decrypt", str(src)]
            digest, size, head = hashlib.sha256(), 0, b""
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=_env())
            try:
                with open(dst, "wb") as out:
                    while chunk := proc.stdout.read(1 << 16):
                        size += len(chunk)
                        if size > max_bytes:
                            raise GPGError("decrypted data is larger than declared")
                        if len(head) < 8192:
                            head += chunk[: 8192 - len(head)]
                        digest.update(chunk)
                        out.write(chunk)
                rc = proc.wait(timeout=_TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
            lines = Path(status.name).read_text(errors="replace").splitlines()
        words = {line.split()[1] for line in lines if line.startswith("[GNUPG:] ") and len(line.split()) > 1}
        if rc != 0 or "DECRYPTION_OKAY" not in words or "DECRYPTION_FAILED" in words:
            raise GPGError("decryption failed")
        if "GOODMDC" not in words and not any(line.startswith("[GNUPG:] DECRYPTION_INFO") and
                                                 len(line.split()) > 4 and line.split()[4] != "0" for line in lines):
            raise GPGError("the encrypted data has no integrity protection")
        return size, digest.hexdigest(), head


_BAD = {"BADSIG", "ERRSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG", "NO_PUBKEY", "KEYREVOKED", "KEYEXPIRED",
        "FAILURE", "BADARMOR", "NODATA", "UNEXPECTED"}


def parse_verify_status(text: str, returncode: int) -> Signature:
    lines = [line[9:].split() for line in text.splitlines() if line.startswith("[GNUPG:] ")]
    words = [parts[0] for parts in lines if parts]
    sig = Signature(valid=False, status=[" ".join(p) for p in lines])
    bad = sorted(set(words) & _BAD)
    if bad:
        sig.problem = "GnuPG reported " + ", ".join(bad)
        return sig
    if words.count("NEWSIG") != 1 or words.count("GOODSIG") != 1 or words.count("VALIDSIG") != 1:
        sig.problem = "exactly one good signature is required"
        return sig
    if returncode != 0:
        sig.problem = f"gpg exited with {returncode}"
        return sig
    valid = next(p for p in lines if p[0] == "VALIDSIG")
    # VALIDSIG <fpr> <date> <timestamp> <expire> <version> <reserved> <algo> <hash> <class> <primary fpr>
    if len(valid) < 11 or valid[9] != "00":
        sig.problem = "not a binary-document signature"
        return sig
    sig.valid = True
    sig.signing_fingerprint = valid[1].upper()
    sig.fingerprint = valid[10].upper()
    sig.created = int(valid[3]) if valid[3].isdigit() else 0
    return sig
