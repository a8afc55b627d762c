"""Rate limits for public submissions, per client address, in Django's cache (Redis in production)."""

from __future__ import annotations

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

# (window seconds, max submissions)
WINDOWS = getattr(settings, "JINCAI_PUBLIC_SUBMISSION_LIMITS", [(600, 5), (86400, 20)])


def client_ip(request) -> str:
    # The same address the lock-out and the audit log use (X-Forwarded-For only behind
    # JINCAI_PROXY_COUNT trusted proxies).
    return (get_client_ip_address(request) or "unknown")[:64]


def _keys(ip: str) -> list[tuple[str, int, int]]:
    now = int(time.time())
    return [(f"submit-rate:{ip}:{window}:{now // window}", window, limit) for window, limit in WINDOWS]


def over_limit(request) -> bool:
    ip = client_ip(request)
    return any((cache.get(key) or 0) >= limit for key, _w, limit in _keys(ip))


def count(request) -> None:
    for key, window, _limit in _keys(client_ip(request)):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
