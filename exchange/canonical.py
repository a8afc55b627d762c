"""Canonical JSON: the one byte form of a manifest that is signed and hashed.

The rules (see docs/exchange-format.md): UTF-8, object keys sorted by code point, no
whitespace between tokens, integers only (no fractions, exponents, NaN or infinities), no
duplicate keys, strings escaped exactly as RFC 8785 (JCS) does. For the data used here
(ASCII keys, integers within +-2**53) this is byte-identical to RFC 8785.
"""

from __future__ import annotations

import json
import re

MAX_SAFE_INTEGER = 2**53 - 1
# Decoded UTF-8 holds no surrogates; JSON text can still escape one (``\ud800``) on its own.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class CanonicalError(ValueError):
    pass


def _check(value, depth: int = 0) -> None:
    # Strings are the common case; a lone surrogate in one is caught when the text is encoded.
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return
    if depth > 32:
        raise CanonicalError("nested too deeply")
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalError("object keys must be strings")
            _check(item, depth + 1)
        return
    if kind is list:
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError("integer out of range")
        return
    if isinstance(value, float):
        raise CanonicalError("numbers must be integers")
    if isinstance(value, list | dict):
        _check(list(value) if isinstance(value, list) else dict(value), depth)
        return
    raise CanonicalError(f"type {type(value).__name__} cannot be serialized")


def _check_unicode(value) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CanonicalError("string is not valid Unicode") from exc
    elif isinstance(value, list):
        for item in value:
            _check_unicode(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_unicode(key)
            _check_unicode(item)


def dumps(value) -> bytes:
    """Serialize ``value`` canonically to UTF-8 bytes."""
    _check(value)
    return _serialize(value)


def _serialize(value) -> bytes:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise CanonicalError("string is not valid Unicode") from exc


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise CanonicalError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_float(text):
    raise CanonicalError("numbers must be integers")


def _no_constant(text):
    raise CanonicalError(f"{text} is not allowed")


def loads_strict(data: bytes):
    """Parse JSON strictly: UTF-8, no duplicate keys, integers only."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError("not UTF-8") from exc
    if text.startswith("\ufeff"):
        raise CanonicalError("byte order mark not allowed")
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_constant
        )
    except CanonicalError:
        raise
    except (ValueError, RecursionError) as exc:
        raise CanonicalError(f"not valid JSON: {exc}") from exc
    _check(value)
    if _SURROGATE_ESCAPE.search(text):
        _check_unicode(value)  # an escaped pair is fine; a lone surrogate is not
    return value


def loads_canonical(data: bytes):
    """Parse JSON that must already be in canonical form (re-serializing gives the same bytes)."""
    value = loads_strict(data)
    if _serialize(value) != data:  # checked by loads_strict already: a manifest is a large tree
        raise CanonicalError("not in canonical form")
    return value
