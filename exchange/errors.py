"""Why a package was refused. Codes are stable: operators, the audit log and the format
specification (docs/exchange-format.md) use them."""

from __future__ import annotations

CODES = {
    "size": "the package file is larger than allowed or empty",
    "not_regular": "the package is not a regular file (symlink, device, directory)",
    "container": "the container is not a plain POSIX ustar archive as specified",
    "member": "a member is not allowed (type, name, path traversal, duplicate, order, size)",
    "limits": "too many members or too many bytes",
    "signature": "the signature is missing, malformed or does not verify",
    "untrusted_signer": "the signer is not pinned for this channel",
    "key_retired": "the signing key is not valid for this sequence number",
    "manifest": "the manifest is not canonical JSON or does not follow the schema",
    "channel": "the package belongs to another channel",
    "name": "the file name does not match the manifest",
    "expired": "the package has expired",
    "not_yet_valid": "the package is dated in the future",
    "missing_file": "a file declared in the manifest is missing",
    "undeclared_file": "the container holds a file the manifest does not declare",
    "file_hash": "a file does not match its declared size or SHA-256",
    "decrypt": "an encrypted file could not be decrypted or does not match its plaintext hash",
    "media_type": "a file's content does not match its declared media type or the type is not allowed",
    "message": "a message body is not valid JSON",
    "unknown_type": "the message type or schema version is not known on this side",
    "schema": "a message does not follow its schema",
    "classification": "a message's classification is not allowed on this channel",
    "replay": "a different package claims a sequence number that was already applied",
    "conflict": "a different package claims the sequence number of a package already held",
    "chain": "the previous-package hash does not match the package applied before it",
    "apply_failed": "applying the package failed; nothing of it was applied",
    "key_rotation": "a key rotation announcement is invalid",
}


class PackageRejected(Exception):
    """A package failed a check. ``code`` is one of :data:`CODES`."""

    def __init__(self, code: str, message: str = ""):
        assert code in CODES, code
        self.code = code
        self.message = message or CODES[code]
        super().__init__(f"{code}: {self.message}")

    def __reduce__(self):  # rebuilt from its code and message (it crosses process boundaries)
        return type(self), (self.code, self.message)


class MessageRefused(ValueError):
    """A message cannot be queued or exported (classification, schema, type, channel)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class ExchangeError(Exception):
    """An operational problem (missing key, no recipient, unknown channel)."""
