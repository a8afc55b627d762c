"""Search fixtures for both sides' test suites.

OpenSearch indices are named with a prefix unique to the test process (pytest-xdist runs two),
emptied before each test and deleted at the end of the session.
"""

from __future__ import annotations

import os
import uuid

import pytest

PREFIX = f"jincai-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:6]}"


def backend_settings(name: str) -> dict:
    """The WAGTAILSEARCH_BACKENDS the deployment would use for ``name`` (database | opensearch)."""
    from common import settings as common_settings

    saved = {k: os.environ.get(k) for k in ("SEARCH_URL", "SEARCH_INDEX_PREFIX", "SEARCH_BACKEND")}
    try:
        if name == "database":
            os.environ.pop("SEARCH_URL", None)
        else:
            os.environ["SEARCH_URL"] = saved["SEARCH_URL"] or "http://127.0.0.1:9200"
            os.environ["SEARCH_INDEX_PREFIX"] = PREFIX
            os.environ.pop("SEARCH_BACKEND", None)
        return common_settings._search()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _reset_engine_index():
    from wagtail.search.backends import get_search_backend

    from search.models import Entry
    from search.services import indexing

    backend = get_search_backend()
    index = backend.get_index_for_model(Entry)
    if hasattr(index, "exists"):
        if index.is_alias():
            for real in index.aliased_indices():
                real.delete()
        index.delete()
        index.put()
        index.add_model(Entry)
    indexing._ready_indexes.clear()


@pytest.fixture(autouse=True)
def _isolated_search_index(settings):
    """With OpenSearch configured, every test starts with an empty index of this process's own
    (database backends need nothing: their index rows roll back with each test)."""
    if os.environ.get("SEARCH_URL"):
        settings.WAGTAILSEARCH_BACKENDS = backend_settings("opensearch")
        _reset_engine_index()
    yield


@pytest.fixture(params=["database", pytest.param("opensearch", marks=pytest.mark.opensearch)])
def each_backend(request, settings, db):
    """Runs a test once on the database backend (SQLite FTS5 or PostgreSQL, as configured) and
    once on OpenSearch."""
    settings.WAGTAILSEARCH_BACKENDS = backend_settings(request.param)
    if request.param == "opensearch":
        _reset_engine_index()
    return request.param


@pytest.fixture(scope="session", autouse=True)
def _drop_test_indices():
    yield
    if not os.environ.get("SEARCH_URL"):
        return
    from opensearchpy import OpenSearch

    try:
        OpenSearch(hosts=[os.environ["SEARCH_URL"]]).indices.delete(index=f"{PREFIX}_*")
    except Exception:  # noqa: BLE001, S110  (best effort: the node may be gone already)
        pass


@pytest.fixture
def celery_eager():
    """Run queued tasks in-process (as the worker would), including on_commit queueing."""
    from celery import current_app

    old = current_app.conf.task_always_eager, current_app.conf.task_eager_propagates
    current_app.conf.task_always_eager = True
    current_app.conf.task_eager_propagates = True
    yield
    current_app.conf.task_always_eager, current_app.conf.task_eager_propagates = old
