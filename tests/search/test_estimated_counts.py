"""The database backend counts totals and facets exactly up to a limit and estimates them above
it: the page says so, the JSON API says so, and an estimate never counts what the person may
not open."""

import pytest

from search.services import access, engine, indexing
from search.services.query import parse
from tests.search.fixtures import backend_settings

LIMIT = 40


@pytest.fixture
def database(settings, db):
    settings.WAGTAILSEARCH_BACKENDS = backend_settings("database")
    settings.SEARCH_EXACT_COUNT_LIMIT = LIMIT


def _entries(prefix, n, *, public=True, grants=(), kinds=("policy", "news")):
    for i in range(n):
        indexing.upsert(f"{prefix}:{i}", source="t", kind=kinds[i % len(kinds)], title=f"公务卡报销通知第{i}号",
                        body="公务卡 报销 规定", issuer="宝鸡市财政局", public=public, grants=grants)
    indexing.refresh()


def _search(base, **params):
    return engine.run(parse({"q": "公务卡", **params}), base)


def test_few_matches_are_counted_exactly(database):
    _entries("few", LIMIT)
    outcome = _search(access.public_entries())
    assert outcome.total == LIMIT and not outcome.estimated
    assert {(v, c) for v, _label, c in outcome.facets["kind"]} == {("policy", LIMIT // 2), ("news", LIMIT // 2)}


def test_many_matches_are_estimated_and_the_page_is_still_ranked(database):
    _entries("many", 200)
    outcome = _search(access.public_entries())
    assert outcome.estimated
    assert 150 <= outcome.total <= 260
    kinds = dict((v, c) for v, _label, c in outcome.facets["kind"])
    assert set(kinds) == {"policy", "news"} and 60 <= kinds["policy"] <= 140
    # The hits themselves are exact: a full first page, in rank order, no repeats.
    assert len(outcome.hits) == 10 and len({h.entry.pk for h in outcome.hits}) == 10
    second = _search(access.public_entries(), page="2")
    assert len(second.hits) == 10 and not {h.entry.pk for h in second.hits} & {h.entry.pk for h in outcome.hits}


def test_estimates_ignore_entries_the_person_may_not_open(database, make_user):
    _entries("pub", 120)
    public_before = _search(access.public_entries())
    reader, _pw, _dev = make_user("reader")
    # Many more matching entries, none of which the public or this reader may open.
    _entries("secret", 300, public=False, grants=["dept:SECRET"], kinds=("document",))
    public_after = _search(access.public_entries())
    reader_view = _search(access.visible_entries(reader, engine.backend()))
    for outcome in (public_after, reader_view):
        assert outcome.estimated
        assert outcome.total == public_before.total
        assert outcome.facets == public_before.facets
        assert "document" not in {v for v, _label, _c in outcome.facets["kind"]}
    admin, _pw, _dev = make_user("boss", is_superuser=True)
    assert _search(access.visible_entries(admin, engine.backend())).total > 300


def test_page_and_api_say_the_count_is_an_estimate(database, make_user, otp_login, client):
    user, password, device = make_user("counter")
    _entries("ui", 120)
    otp_login(client, user.username, password, device, next_url="/search/")
    page = client.get("/search/", {"q": "公务卡"}).content.decode()
    assert "约有" in page and "估计值" in page and "(约 " in page
    data = client.get("/search/api/", {"q": "公务卡"}).json()
    assert data["total_is_estimate"] is True and data["total"] >= 100
    assert data["facet_counts_are_estimates"] is True
    # A filtered list shorter than a page is counted exactly, even if the facets are estimates.
    _entries("rare", 3, kinds=("qa",))
    exact = client.get("/search/api/", {"q": "公务卡", "type": "qa"}).json()
    assert exact["total_is_estimate"] is False and exact["total"] == 3 and len(exact["results"]) == 3
    assert client.get("/search/api/", {"q": "公务卡", "type": "tender"}).json()["total"] == 0
