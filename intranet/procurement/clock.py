"""Server time for deadlines, with one seam for tests.

``settings.JINCAI_PROCUREMENT_NOW`` (unset in deployment) may hold a fixed aware datetime or a
callable returning one, so that tests can stand exactly on a deadline's second boundary.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    fixed = getattr(settings, "JINCAI_PROCUREMENT_NOW", None)
    if fixed is None:
        return timezone.now()
    return fixed() if callable(fixed) else fixed
