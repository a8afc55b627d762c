from __future__ import annotations

import re

import pytest

from extranet.consultation import challenge


@pytest.fixture
def portal(db, settings, tmp_path):
    from django.core.cache import cache

    # Parallel test processes share the data dir: each test gets its own cache generation marker.
    settings.JINCAI_PORTAL_CACHE_MARKER = str(tmp_path / "portal-cache-generation")

    from extranet.portal import cache as page_cache
    from extranet.portal import tree

    cache.clear()
    page_cache.reset()
    return tree.ensure_tree()


def answer_of(html: str) -> tuple[str, str]:
    """Read the challenge token from a form page and solve the sum as a person would."""
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    words = re.search(r"验证问题：(.)加(.)等于几", html)
    digits = challenge.DIGITS
    return token, str(digits.index(words.group(1)) + digits.index(words.group(2)))


def form_data(client, url: str, **fields) -> dict:
    token, answer = answer_of(client.get(url).content.decode())
    return {"challenge_token": token, "challenge_answer": answer, "website": "", **fields}
