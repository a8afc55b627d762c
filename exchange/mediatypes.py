"""Which file types may travel, judged by content (libmagic), never by name."""

from __future__ import annotations

from common.uploads import sniff

JSON = "application/json"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFD = "application/ofd"

# Sealed bids travel as OpenPGP ciphertext (RFC 4880 binary, or ASCII armor). libmagic names most
# ciphertext only "data", so its first packet is checked instead: an encrypted session key.
PGP_ENCRYPTED = "application/pgp-encrypted"
_PGP_ARMOR = b"-----BEGIN PGP MESSAGE-----"
_SESSION_KEY_TAGS = frozenset({1, 3})  # public-key / symmetric-key encrypted session key packets


def is_openpgp_message(head: bytes) -> bool:
    if head.startswith(_PGP_ARMOR):
        return True
    if len(head) < 2 or not head[0] & 0x80:
        return False
    tag = head[0] & 0x3F if head[0] & 0x40 else (head[0] >> 2) & 0x0F
    return tag in _SESSION_KEY_TAGS


# Declared media type -> the sniffed types that confirm it. Office formats and OFD are zip
# containers; libmagic names them by their inner structure when it can, else "application/zip".
# Nothing here is ever unpacked by the exchange.
ALLOWED: dict[str, frozenset[str]] = {
    PDF: frozenset({PDF}),
    DOCX: frozenset({DOCX, "application/zip"}),
    XLSX: frozenset({XLSX, "application/zip"}),
    OFD: frozenset({"application/zip"}),
    "image/png": frozenset({"image/png"}),
    "image/jpeg": frozenset({"image/jpeg"}),
    "text/plain": frozenset({"text/plain"}),
    "text/csv": frozenset({"text/csv", "text/plain", "application/csv"}),
}


def check(declared: str, head: bytes) -> str | None:
    """None when ``head`` (the first bytes of a file) confirms ``declared``; else the problem."""
    if declared == JSON:
        return None  # message bodies: parsed strictly as JSON by the reader instead
    if declared == PGP_ENCRYPTED:
        return None if is_openpgp_message(head) else f"declared {declared} but the content is not an OpenPGP message"
    accepted = ALLOWED.get(declared)
    if accepted is None:
        return f"media type {declared!r} is not allowed"
    sniffed = sniff(head) if head else "application/x-empty"
    if sniffed not in accepted:
        return f"declared {declared} but the content is {sniffed}"
    return None


def detect(head: bytes) -> str | None:
    """The allowed media type to declare for content, or None when it is not allowed."""
    sniffed = sniff(head)
    if sniffed in (DOCX, XLSX, PDF, "image/png", "image/jpeg", "text/plain", "text/csv"):
        return sniffed
    if sniffed == "application/csv":
        return "text/csv"
    return None
