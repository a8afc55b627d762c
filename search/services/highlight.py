"""Highlighted titles and snippets, computed here so every backend shows the same thing.

Matches are found on text with full-width forms and case folded (as when indexing), for the
query words and their traditional forms, and mapped back onto the original characters; the
output is HTML-escaped with ``<mark>`` around each match.
"""

from __future__ import annotations

import re
from functools import lru_cache

import zhconv
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.analysis import nfkc

# Traditional forms a simplified query word may have in the text (the text is not converted:
# converting whole documents for every hit would cost more than the search itself).
TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk")
MAX_SCAN_CHARS = 20_000


def _fold(text: str) -> str:
    return nfkc(text).lower()


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Full-width forms and case folded, plus for each character the offset it came from."""
    whole = _fold(text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    out, offsets = [], []
    for i, ch in enumerate(text):
        n = _fold(ch)
        out.append(n)
        offsets.extend([i] * len(n))
    return "".join(out), offsets


@lru_cache(maxsize=512)
def _forms(token: str) -> frozenset[str]:
    return frozenset({token, *(zhconv.convert(token, locale) for locale in TRADITIONAL)})


def _pattern(tokens: list[str]) -> tuple[re.Pattern, dict[str, str]] | None:
    forms = {form: t for t in tokens if t for form in _forms(t)}
    if not forms:
        return None
    words = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)), forms


def _spans(text: str, tokens: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, token) of each match in ``text``, in original offsets, non-overlapping."""
    compiled = _pattern(tokens)
    if compiled is None or not text:
        return []
    pattern, forms = compiled
    folded, offsets = _fold_with_offsets(text)
    spans = []
    for m in pattern.finditer(folded):
        start = offsets[m.start()]
        end = offsets[m.end() - 1] + 1
        spans.append((start, end, forms[m.group(0)]))
    return spans


def _render(text: str, spans, start: int, end: int) -> str:
    out, pos = [], start
    for s, e, _token in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def mark(text: str, tokens: list[str]) -> SafeString:
    """``text`` escaped, with every query token marked."""
    return mark_safe(_render(text, _spans(text, tokens), 0, len(text)))  # noqa: S308 (escaped in _render)


def snippet(text: str, tokens: list[str], width: int = 140) -> SafeString:
    """The passage of ``text`` (about ``width`` characters) with the most distinct query tokens."""
    text = " ".join((text or "")[:MAX_SCAN_CHARS].split())
    spans = _spans(text, tokens)
    if not spans:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))  # noqa: S308
    best, best_score = 0, -1
    for i, (s, _e, _t) in enumerate(spans[:300]):
        begin = max(0, s - width // 5)
        inside = {t for (s2, e2, t) in spans[i:i + 60] if s2 >= begin and e2 <= begin + width}
        score = len(inside) * 1000 - begin // 100  # prefer more distinct words, then earlier
        if score > best_score:
            best, best_score = begin, score
    end = min(len(text), best + width)
    html = _render(text, spans, best, end)
    return mark_safe(("…" if best > 0 else "") + html + ("…" if end < len(text) else ""))  # noqa: S308
