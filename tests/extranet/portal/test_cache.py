"""The anonymous page cache: hits, per-visitor CSRF tokens, invalidation on publish."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.extranet.portal.conftest import apply, policy_body

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_second_anonymous_view_comes_from_the_cache(portal, client):
    assert client.get("/policies/").get("X-Portal-Cache") is None
    assert client.get("/policies/").get("X-Portal-Cache") == "hit"


def test_cached_pages_give_each_visitor_a_working_csrf_token(portal):
    Client().get("/")  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    assert page["X-Portal-Cache"] == "hit"
    token = TOKEN.search(page.content.decode()).group(1)
    other = Client(enforce_csrf_checks=True).get("/")
    assert TOKEN.search(other.content.decode()).group(1) != token
    # The cached page's form works for this visitor (display mode toggle).
    response = visitor.post("/display/", {"csrfmiddlewaretoken": token, "mode": "large-text", "next": "/"})
    assert response.status_code == 302
    assert "mode-large-text" in visitor.get("/").content.decode()


def test_display_mode_and_language_have_their_own_cache_entries(portal, client):
    client.get("/")
    client.cookies["jc_display"] = "high-contrast"
    assert 'class="mode-high-contrast"' in client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Latest policies" in client.get("/").content.decode()


def test_publishing_shows_at_once_on_cached_pages(portal, client):
    assert "宝市财办信〔2009〕8号" not in client.get("/").content.decode()
    assert client.get("/").get("X-Portal-Cache") == "hit"
    apply("portal.policy.publish", policy_body(), version=2)
    home = client.get("/")
    assert home.get("X-Portal-Cache") is None
    assert "宝市财办信〔2009〕8号" in home.content.decode()


def test_form_pages_and_logged_in_visitors_are_never_cached(portal, client):
    client.get("/consultation/ask/")
    assert client.get("/consultation/ask/").get("X-Portal-Cache") is None
    client.get("/news/")
    client.cookies["sessionid"] = "x"
    assert client.get("/news/").get("X-Portal-Cache") is None


def test_an_import_in_another_process_invalidates_this_one(portal, client, monkeypatch, settings):
    """The exchange importer runs in a Celery worker: it can only touch the shared marker."""
    import os
    import time

    from extranet.portal import cache as page_cache

    monkeypatch.setattr(page_cache, "GENERATION_CHECK", 0.0)
    client.get("/news/")
    assert client.get("/news/").get("X-Portal-Cache") == "hit"
    marker = settings.JINCAI_PORTAL_CACHE_MARKER
    open(marker, "a").close()
    os.utime(marker, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    assert client.get("/news/").get("X-Portal-Cache") is None
