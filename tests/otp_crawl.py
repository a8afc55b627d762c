"""Walk every URL pattern of the running deployment and build a concrete URL for it."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _concrete(regex: str) -> str:
    # Replace named/unnamed groups with plausible values; strip anchors.
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", text)
    text = re.sub(r"\([^)]*\)", "1", text)
    text = text.replace("\\", "").replace("?", "")
    return text


def _pattern_text(pattern) -> str:
    route = getattr(pattern.pattern, "_route", None)
    if route is not None:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), route)
    return _concrete(pattern.pattern.regex.pattern)


def all_urls(resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    resolver = resolver or get_resolver()
    urls = []
    for pattern in resolver.url_patterns:
        text = prefix + _pattern_text(pattern)
        if isinstance(pattern, URLResolver):
            urls.extend(all_urls(pattern, text))
        elif isinstance(pattern, URLPattern):
            urls.append(text)
    return sorted(set(urls))


def is_exempt(url: str, settings) -> bool:
    return any(url.startswith(p) for p in settings.JINCAI_OTP_EXEMPT_PREFIXES)
