"""An accessible challenge instead of an image captcha: a small sum written in Chinese words,
answered in digits. The expected answer travels in a signed, time-limited token; each token is
accepted once."""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.core.cache import cache

SALT = "public_consultation.challenge"
MAX_AGE = 60 * 60
DIGITS = "零一二三四五六七八九十"


def _words(n: int) -> str:
    return DIGITS[n]


def new() -> tuple[str, str]:
    """(question, token)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    question = f"{_words(a)}加{_words(b)}等于几？"
    nonce = secrets.token_hex(8)
    token = signing.dumps({"h": _digest(str(a + b), nonce), "n": nonce}, salt=SALT, compress=True)
    return question, token


def _digest(answer: str, nonce: str) -> str:
    return hashlib.sha256(f"{nonce}:{answer}".encode()).hexdigest()


def check(token: str, answer: str, *, consume: bool = True) -> str | None:
    """None when right; otherwise the reason: 'expired', 'wrong', 'used'."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "wrong"
    answer = (answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not secrets.compare_digest(_digest(answer, data["n"]), data["h"]):
        return "wrong"
    if consume and not cache.add(f"challenge:used:{data['n']}", 1, MAX_AGE):
        return "used"
    return None
