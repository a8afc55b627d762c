"""Anonymous page cache for the portal.

Cached: GET/HEAD of pages that mark themselves cacheable (``CachedPageMixin``), for visitors
without a session. The key holds the path and query, the language and display-mode cookies, and
a generation number that every publish, unpublish and exchange import bumps, so a change shows
at once. Every page has CSRF-protected forms in its header (display mode, language): the token
in the stored HTML is replaced by a placeholder, and each hit gets the visitor's own token and
CSRF cookie from Django's CSRF middleware, so no two visitors ever share one.

The generation lives in the cache (shared through Redis in production) and in a marker file's
modification time under the side's data dir, so the embedded default (a per-process local
memory cache, with the exchange importer in a separate worker process) is invalidated too.
Each process checks the generation at most once a second (JINCAI_PORTAL_CACHE_CHECK_SECONDS) and
keeps a bounded copy of recent pages, so a hit needs no round trip to Redis; a change therefore
shows on every worker within that second.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token

from common.views import DISPLAY_COOKIE

GEN_KEY = "portal:cache:generation"
TTL = 600
GENERATION_CHECK = float(getattr(settings, "JINCAI_PORTAL_CACHE_CHECK_SECONDS", 1.0))
LOCAL_ENTRIES = 500
PLACEHOLDER = "__PORTAL_CSRF_TOKEN__"
TOKEN_RE = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
BYPASS_COOKIES = ("messages",)


def _marker() -> Path:
    custom = getattr(settings, "JINCAI_PORTAL_CACHE_MARKER", None)
    return Path(custom) if custom else Path(settings.JINCAI_SIDE_DIR) / "portal-cache-generation"


_local = threading.local()
_lock = threading.Lock()
_pages: OrderedDict[str, tuple] = OrderedDict()


def _read_generation() -> str:
    try:
        mtime = os.stat(_marker()).st_mtime_ns
    except FileNotFoundError:
        mtime = 0
    return f"{cache.get(GEN_KEY, 0)}.{mtime}"


def generation() -> str:
    """The current generation, looked up at most every GENERATION_CHECK seconds per thread: a
    publish shows on every worker within that time, and a hit costs no round trip to Redis."""
    now = time.monotonic()
    cached = getattr(_local, "generation", None)
    if cached is None or now - cached[0] > GENERATION_CHECK:
        cached = (now, _read_generation())
        _local.generation = cached
    return cached[1]


def bump() -> None:
    try:
        cache.incr(GEN_KEY)
    except ValueError:
        cache.set(GEN_KEY, 1, None)
    marker = _marker()
    marker.touch()
    os.utime(marker)
    _local.generation = None
    with _lock:
        _pages.clear()


def reset() -> None:
    """Forget this process's copies (tests, whose database rolls back under the cache)."""
    _local.generation = None
    with _lock:
        _pages.clear()


def _get(key: str):
    """A process-local copy first (bounded), then the shared cache."""
    with _lock:
        stored = _pages.get(key)
        if stored is not None:
            _pages.move_to_end(key)
            return stored
    stored = cache.get(key)
    if stored is not None:
        _remember(key, stored)
    return stored


def _remember(key: str, stored) -> None:
    with _lock:
        _pages[key] = stored
        while len(_pages) > LOCAL_ENTRIES:
            _pages.popitem(last=False)


def _set(key: str, stored) -> None:
    cache.set(key, stored, TTL)
    _remember(key, stored)


def _key(request) -> str:
    lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    display = request.COOKIES.get(DISPLAY_COOKIE, "")
    raw = f"{request.method}|{request.get_host()}|{request.get_full_path()}|{lang}|{display}|{generation()}"
    return "portal:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or any(c in request.COOKIES for c in BYPASS_COOKIES):
        return False
    return not request.path.startswith(("/admin/", "/django-admin/", "/accounts/", "/supplier/", "/static/",
                                        "/media/", "/documents/"))


class AnonymousPageCacheMiddleware:
    """Placed after WhiteNoise and before the session middleware (see extranet/settings.py)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        stored = _get(key)
        if stored is not None:
            return self._from_cache(request, stored)
        response = self.get_response(request)
        if self._should_store(request, response):
            content = TOKEN_RE.sub(rb"\g<1>" + PLACEHOLDER.encode() + rb"\g<3>", response.content)
            headers = [(k, v) for k, v in response.items() if k.lower() not in ("set-cookie", "content-length")]
            _set(key, (response.status_code, headers, content))
        return response

    @staticmethod
    def _should_store(request, response) -> bool:
        if not getattr(request, "portal_cacheable", False) or response.status_code != 200:
            return False
        if response.streaming or any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return False
        return "private" not in response.get("Cache-Control", "")

    def _from_cache(self, request, stored):
        status, headers, content = stored
        # Django's own CSRF middleware reads (or makes) this visitor's secret and sets the cookie.
        self.csrf.process_request(request)
        token = get_token(request).encode()
        response = HttpResponse(content.replace(PLACEHOLDER.encode(), token), status=status)
        for name, value in headers:
            response[name] = value
        response["X-Portal-Cache"] = "hit"
        return self.csrf.process_response(request, response)
