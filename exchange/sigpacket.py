"""Strict form of the detached signature member.

GnuPG checks that a signature is good; it does not promise that it is the only byte string
that is good. Parts of an OpenPGP signature packet are not covered by the signature itself
(the packet header, the unhashed subpackets, the MPI length prefixes). So that *any* changed
byte of a package is refused, the signature must be exactly one binary v4 signature packet in
its minimal encoding whose only unhashed subpacket is the issuer key ID of the signing key.
"""

from __future__ import annotations

import hashlib

from exchange.errors import PackageRejected

SIG_ALGOS = {1: 1, 19: 2, 22: 2}  # RSA: one MPI; ECDSA, EdDSA: two
HASH_ALGOS = {8: "sha256", 9: "sha384", 10: "sha512"}


def _bad(why: str) -> PackageRejected:
    return PackageRejected("signature", f"signature encoding: {why}")


def _header(data: bytes) -> tuple[int, int, int]:
    """(tag, header length, body length) of the packet at the start of ``data``; minimal encodings only."""
    if not data or not data[0] & 0x80:
        raise _bad("not an OpenPGP packet")
    ctb = data[0]
    if ctb & 0x40:  # new format
        tag = ctb & 0x3F
        if len(data) < 2:
            raise _bad("truncated")
        first = data[1]
        if first < 192:
            return tag, 2, first
        if first < 224:
            if len(data) < 3:
                raise _bad("truncated")
            length = ((first - 192) << 8) + data[2] + 192
            if length < 192:
                raise _bad("non-minimal length")
            return tag, 3, length
        if first == 255:
            length = int.from_bytes(data[2:6], "big")
            if len(data) < 6 or length < 8384:
                raise _bad("non-minimal length")
            return tag, 6, length
        raise _bad("partial lengths are not allowed")
    tag, ltype = (ctb >> 2) & 0x0F, ctb & 0x03
    if ltype == 3:
        raise _bad("indeterminate length")
    size = 1 << ltype
    if len(data) < 1 + size:
        raise _bad("truncated")
    length = int.from_bytes(data[1 : 1 + size], "big")
    if (ltype == 1 and length < 256) or (ltype == 2 and length < 65536):
        raise _bad("non-minimal length")
    return tag, 1 + size, length


def check_structure(sig: bytes) -> None:
    """Before GnuPG sees it: one v4 binary-document signature packet, nothing else."""
    tag, hlen, blen = _header(sig)
    if tag != 2:
        raise _bad("not a signature packet")
    if hlen + blen != len(sig):
        raise _bad("extra data around the signature packet")
    body = sig[hlen:]
    if len(body) < 10 or body[0] != 4 or body[1] != 0x00:
        raise _bad("not a version 4 signature over a binary document")
    if body[2] not in SIG_ALGOS or body[3] not in HASH_ALGOS:
        raise _bad("public-key or hash algorithm not allowed")
    pos = 4
    hashed = int.from_bytes(body[pos : pos + 2], "big")
    pos += 2 + hashed
    unhashed = int.from_bytes(body[pos : pos + 2], "big")
    unhashed_data = body[pos + 2 : pos + 2 + unhashed]
    pos += 2 + unhashed
    if unhashed and (len(unhashed_data) != 10 or unhashed_data[:2] != b"\x09\x10"):
        raise _bad("the only unhashed subpacket allowed is the issuer key ID")
    pos += 2  # the left 16 bits of the digest (checked by GnuPG)
    for _ in range(SIG_ALGOS[body[2]]):
        if pos + 2 > len(body):
            raise _bad("truncated MPI")
        bits = int.from_bytes(body[pos : pos + 2], "big")
        size = (bits + 7) // 8
        value = int.from_bytes(body[pos + 2 : pos + 2 + size], "big")
        if bits == 0 or pos + 2 + size > len(body) or value.bit_length() != bits:
            raise _bad("MPI not in minimal form")
        pos += 2 + size
    if pos != len(body):
        raise _bad("extra data in the signature packet")


def check_issuer(sig: bytes, signing_fingerprint: str) -> None:
    """After GnuPG: the unhashed issuer key ID (if any) names the key that made the signature."""
    _, hlen, _ = _header(sig)
    body = sig[hlen:]
    pos = 6 + int.from_bytes(body[4:6], "big")
    unhashed = int.from_bytes(body[pos : pos + 2], "big")
    if unhashed and body[pos + 4 : pos + 12].hex().upper() != signing_fingerprint[-16:]:
        raise _bad("the issuer key ID does not name the signing key")


def check_digest_prefix(sig: bytes, data: bytes) -> None:
    """The packet's "left 16 bits of the digest" must match the data (GnuPG does not insist)."""
    _, hlen, _ = _header(sig)
    body = sig[hlen:]
    hashed_end = 6 + int.from_bytes(body[4:6], "big")
    trailer = body[:hashed_end]
    digest = hashlib.new(HASH_ALGOS[body[3]], data + trailer + b"\x04\xff" + len(trailer).to_bytes(4, "big"))
    pos = hashed_end + 2 + int.from_bytes(body[hashed_end : hashed_end + 2], "big")
    if body[pos : pos + 2] != digest.digest()[:2]:
        raise _bad("the digest prefix does not match")
