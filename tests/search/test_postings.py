"""The database backends rank from impact-ordered postings (search.services.postings): they stay
right when entries change or go, a full rebuild gives the same rows, the early-stopping top-k is
the exhaustive ranking, and a word in thousands of entries still lists its best ones first."""

import pytest
from django.db import connection

from search.models import Entry
from search.services import access, dbsearch, engine, indexing, ranking
from search.services.query import parse
from tests.search.fixtures import backend_settings

WORDS = ["国库", "支付", "预算", "公开", "采购", "绩效", "债券", "票据", "报销", "农田"]


@pytest.fixture
def database(settings, db):
    settings.WAGTAILSEARCH_BACKENDS = backend_settings("database")


def _state():
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, sample, entry_id, impact FROM search_posting ORDER BY term, sample")
        rows = cursor.fetchall()
        cursor.execute("SELECT term, df FROM search_term WHERE df <> 0 ORDER BY term")
        return rows, cursor.fetchall()


def _df(term):
    with connection.cursor() as cursor:
        cursor.execute("SELECT df FROM search_term WHERE term = %s", [term])
        row = cursor.fetchone()
    return row[0] if row else 0


def _titles(outcome):
    return [h.entry.title for h in outcome.hits]


def test_changed_and_deleted_entries_leave_no_stale_postings(database):
    indexing.upsert("p:1", source="t", kind="policy", title="国库集中支付通知", body="国库 支付 规定", public=True)
    indexing.upsert("p:2", source="t", kind="policy", title="公务卡报销通知", body="公务卡 报销", public=True)
    base = access.public_entries()
    assert _titles(engine.run(parse({"q": "国库集中支付"}), base)) == ["国库集中支付通知"]
    assert _df("国库集中支付") == 1 and _df("") == 2

    # The entry now speaks of something else: its old words no longer find it.
    indexing.upsert("p:1", source="t", kind="policy", title="高标准农田建设通知", body="农田 建设", public=True)
    assert engine.run(parse({"q": "国库集中支付"}), base).total == 0
    assert _titles(engine.run(parse({"q": "高标准农田"}), base)) == ["高标准农田建设通知"]
    assert _df("国库集中支付") == 0 and _df("农田") == 1 and _df("") == 2

    indexing.remove("p:1")
    assert engine.run(parse({"q": "高标准农田"}), base).total == 0
    assert _df("农田") == 0 and _df("") == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_posting WHERE entry_id NOT IN (SELECT id FROM search_entry)")
        assert cursor.fetchone()[0] == 0


def test_a_full_rebuild_gives_the_rows_the_updates_left(database):
    for i in range(30):
        indexing.upsert(f"r:{i}", source="t", kind="news", title=f"{WORDS[i % 10]}{WORDS[(i * 3) % 10]}工作通知",
                        body=" ".join(WORDS[: i % 10 + 1]), public=True)
    for i in range(0, 30, 4):
        indexing.upsert(f"r:{i}", source="t", kind="news", title=f"关于{WORDS[(i + 5) % 10]}的说明",
                        body="说明 " * (i % 3 + 1), public=True)
    for i in range(1, 30, 7):
        indexing.remove(f"r:{i}")
    incremental = _state()
    assert incremental[0] and incremental[1]
    progress = []
    dbsearch.rebuild(7, lambda done, total: progress.append((done, total)))
    assert _state() == incremental
    assert progress[-1] == (Entry.objects.count(), Entry.objects.count())


def _corpus(n=160):
    """Entries with overlapping words in title and text, some longer than others."""
    rows = []
    for i in range(n):
        title = f"{WORDS[i % 10]}{WORDS[(i // 10) % 10]}管理办法" if i % 3 else f"关于{WORDS[(i * 7) % 10]}的通知"
        body = " ".join(WORDS[(i + k) % 10] for k in range(i % 7 + 1)) + " 说明" * (i % 5)
        rows.append(Entry(key=f"c:{i}", source="t", kind="policy" if i % 5 else "news", title=title, body=body,
                          is_public=i % 4 != 0))
    Entry.objects.bulk_create(rows)
    dbsearch.write(Entry.objects.all())


def test_the_early_stopping_top_k_is_the_exhaustive_ranking(database, monkeypatch):
    _corpus()
    monkeypatch.setattr(ranking, "FIRST_DEPTH", 3)  # several rounds, stopping before the lists end
    monkeypatch.setattr(ranking, "GROWTH", 2)
    # Count the finishing reads (one list read down to where nothing can rank any more).
    swept = []
    sweep = ranking._Search.sweep
    monkeypatch.setattr(ranking._Search, "sweep", lambda self, *args: swept.append(args) or sweep(self, *args))
    stopped_early = 0
    for query in ["国库", "预算 公开", "采购 绩效 债券", "票据 报销", "农田 国库 支付", "说明 管理办法"]:
        tokens = parse({"q": query}).tokens
        for operator in ("and", "or"):
            for qs in (Entry.objects.all(), access.public_entries(), Entry.objects.filter(kind="policy", id__gt=40)):
                within = qs.order_by().values("id").query.sql_with_params()
                expected = ranking.exhaustive(connection, tokens, operator, within, 0, 20)
                for need in (10, 20):
                    found = ranking.top(connection, tokens, operator, need, within)
                    if found is None:  # too deep to be worth it: the page scores every match instead
                        continue
                    ids, complete = found
                    assert ids[:need] == expected[:need], (query, operator, need)
                    stopped_early += not complete
                # What the search page lists, whichever way it was ranked.
                listed, _total = dbsearch.page(qs, tokens, operator, "relevance", 10, 10)
                assert [e.pk for e in listed] == expected[10:20], (query, operator)
    assert stopped_early >= 10
    assert len(swept) >= 5


def test_the_ranking_stops_before_reading_every_match(database, monkeypatch):
    _corpus()
    monkeypatch.setattr(ranking, "FIRST_DEPTH", 3)
    within = Entry.objects.order_by().values("id").query.sql_with_params()
    ids, complete = ranking.top(connection, ["说明"], "and", 5, within)
    assert len(ids) == 5 and not complete
    assert ids == ranking.exhaustive(connection, ["说明"], "and", within, 0, 5)


def test_a_word_in_thousands_of_entries_lists_its_best_ones_first(database, make_user):
    rows = [Entry(key=f"many:{i}", source="t", kind="news", title=f"第{i}号工作简报", is_public=True,
                  body="本期简报介绍预算执行情况和有关工作安排。" * (1 + i % 3)) for i in range(2500)]
    best = [Entry(key=f"best:{i}", source="t", kind="policy", title=f"预算执行情况报告{i}", is_public=True,
                  body="预算执行情况") for i in range(3)]
    hidden = [Entry(key=f"hidden:{i}", source="t", kind="document", title=f"预算预算执行情况{i}",
                    body="预算 预算 预算") for i in range(5)]
    Entry.objects.bulk_create(rows + best + hidden)
    dbsearch.write(Entry.objects.all())
    outcome = engine.run(parse({"q": "预算"}), access.public_entries())
    assert {h.entry.key for h in outcome.hits[:3]} == {"best:0", "best:1", "best:2"}
    assert not any(h.entry.key.startswith("hidden") for h in outcome.hits)
    assert outcome.estimated and 2000 <= outcome.total <= 3100
    assert "document" not in {v for v, _label, _c in outcome.facets["kind"]}
    # Someone who may open the hidden entries sees them on top.
    boss, _pw, _dev = make_user("boss", is_superuser=True)
    top = engine.run(parse({"q": "预算"}), access.visible_entries(boss, engine.backend()))
    assert {h.entry.key for h in top.hits[:5]} == {f"hidden:{i}" for i in range(5)}


def test_words_with_many_alike_best_entries_rank_exactly_without_scoring_every_match(database, monkeypatch):
    """Each word heads hundreds of short titles, and only a few entries have all of them in the
    title: the lists' best rows say little, and reading on would take long. The ranking still
    finds the page without scoring every match (it reads one list down to where nothing can
    rank any more), and the page is the exhaustive one for every scope and operator."""
    words = ["预算编制", "部门", "通知"]
    rows = []
    for i in range(300):
        word = words[i % 3]
        rows.append(Entry(key=f"head:{i}", source="t", kind="news", title=f"{word}{i}", is_public=i % 5 != 0,
                          body=" ".join([word] * (1 + i % 4))))
    for i in range(900):  # every word, once, in a long text: many matches, all far below the page
        rows.append(Entry(key=f"tail:{i}", source="t", kind="news", title=f"第{i}号简报", is_public=i % 2 == 0,
                          body="说明 " * (20 + i % 30) + "部门 预算编制 通知"))
    for i in range(12):
        rows.append(Entry(key=f"all:{i}", source="t", kind="policy", title="部门预算编制通知" + "附件" * (i % 4),
                          body="部门 预算编制 通知", is_public=i % 3 != 0))
    Entry.objects.bulk_create(rows)
    dbsearch.write(Entry.objects.all())
    monkeypatch.setattr(ranking, "FIRST_DEPTH", 20)
    for operator in ("and", "or"):
        for qs in (Entry.objects.all(), access.public_entries(), Entry.objects.filter(kind="policy")):
            within = qs.order_by().values("id").query.sql_with_params()
            expected = ranking.exhaustive(connection, words, operator, within, 0, 10)
            found = ranking.top(connection, words, operator, 10, within)
            assert found is not None, (operator, str(qs.query))
            assert found[0] == expected, (operator, str(qs.query))
            if operator == "and":
                assert not any(pk not in set(qs.values_list("pk", flat=True)) for pk in found[0])
