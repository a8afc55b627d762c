"""SEARCH_URL with a scheme prefix or JINCAI_SEARCH_ENGINE selects Wagtail's backend for the
engine an operator runs (OpenSearch or Elasticsearch); the pre-segmented analysis goes with it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.settings import _search


@pytest.fixture
def search_env(monkeypatch):
    for name in ("SEARCH_URL", "SEARCH_BACKEND", "JINCAI_SEARCH_ENGINE", "SEARCH_INDEX_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _default():
    return _search()["default"]


def test_no_url_is_the_database(search_env):
    assert _default()["BACKEND"] == "wagtail.search.backends.database"


@pytest.mark.parametrize("url, engine, backend, urls", [
    ("http://127.0.0.1:9200", "", "opensearch2", ["http://127.0.0.1:9200"]),
    ("http://es:9200", "elasticsearch8", "elasticsearch8", ["http://es:9200"]),
    ("http://es:9200", "elasticsearch", "elasticsearch8", ["http://es:9200"]),
    ("http://es:9200", "Elasticsearch9", "elasticsearch9", ["http://es:9200"]),
    ("elasticsearch8+https://es.example:9243", "", "elasticsearch8", ["https://es.example:9243"]),
    ("elasticsearch7+http://es:9200", "opensearch2", "elasticsearch7", ["http://es:9200"]),
    ("opensearch3+https://os:9200", "", "opensearch3", ["https://os:9200"]),
])
def test_engine_selection(search_env, url, engine, backend, urls):
    search_env.setenv("SEARCH_URL", url)
    if engine:
        search_env.setenv("JINCAI_SEARCH_ENGINE", engine)
    conf = _default()
    assert conf["BACKEND"] == f"wagtail.search.backends.{backend}"
    assert conf["URLS"] == urls
    # Every engine gets the whitespace analyzers for the pre-segmented Chinese words.
    analyzers = conf["INDEX_SETTINGS"]["settings"]["analysis"]["analyzer"]
    assert analyzers["default"]["tokenizer"] == "whitespace"


def test_unknown_engine_is_a_clear_error(search_env):
    search_env.setenv("SEARCH_URL", "solr+http://solr:8983")
    with pytest.raises(ImproperlyConfigured, match="solr"):
        _search()
    search_env.setenv("SEARCH_URL", "http://es:9200")
    search_env.setenv("JINCAI_SEARCH_ENGINE", "elasticsearch6")
    with pytest.raises(ImproperlyConfigured, match="elasticsearch6"):
        _search()


def test_explicit_backend_path_still_wins(search_env):
    search_env.setenv("SEARCH_URL", "elasticsearch8+http://es:9200")
    search_env.setenv("SEARCH_BACKEND", "wagtail.search.backends.elasticsearch9")
    conf = _default()
    assert conf["BACKEND"] == "wagtail.search.backends.elasticsearch9" and conf["URLS"] == ["http://es:9200"]
