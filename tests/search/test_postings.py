"""The database backends rank from postings (search.services.postings) read packed, one row per
word (search.services.packs): they stay right when entries change or go, a full rebuild gives the
same rows and packs, the ranking is the one SQL computes from the rows, for every scope, and a
word in thousands of entries still lists its best ones first."""

import math

import psycopg
import pytest
from django.db import connection

from search.models import Entry
from search.services import access, dbsearch, engine, indexing, packs, ranking
from search.services.postings import marks
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


def _packs():
    """Every counted word's list as read for a query (stale packs made again), as plain lists."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM search_term WHERE df > 0 AND term <> '' ORDER BY term")
        terms = [row[0] for row in cursor.fetchall()]
    _n, lists = packs.load(connection, terms)
    return {t: (ids.tolist(), impacts.tolist()) for t, (ids, impacts) in lists.items()}


def _from_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT term, entry_id, impact FROM search_posting ORDER BY term, entry_id")
        out = {}
        for term, pk, impact in cursor.fetchall():
            ids, impacts = out.setdefault(term, ([], []))
            ids.append(pk)
            impacts.append(impact)
    return out


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
    # The packs of words the changes touched were made again from the rows when read.
    assert _packs() == _from_rows()
    progress = []
    dbsearch.rebuild(7, lambda done, total: progress.append((done, total)))
    assert _state() == incremental
    assert progress[-1] == (Entry.objects.count(), Entry.objects.count())
    with connection.cursor() as cursor:  # the rebuild packed every word
        cursor.execute("SELECT COUNT(*) FROM search_term WHERE df > 0 AND term <> '' AND pack IS NULL")
        assert cursor.fetchone()[0] == 0
    assert _packs() == _from_rows()


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


def _reference(tokens, operator, qs, start, size):
    """The same ranking, computed by the database from the rows: for an AND, the entries with
    the rarest word joined to their postings of the others; for an OR, every posting of the words."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, df FROM search_term WHERE term IN ({marks(len(tokens) + 1)})",  # noqa: S608
                       ["", *tokens])
        df = dict(cursor.fetchall())
        n = max(df.pop("", 1), 1)
        idf = {t: max(1, round(1000 * math.log(1 + (n - d + 0.5) / (d + 0.5)))) for t, d in df.items() if d > 0}
        if not idf or operator == "and" and len(idf) < len(set(tokens)):
            return []
        sql, params = qs.order_by().values("id").query.sql_with_params()
        if operator == "and":
            order = sorted(idf, key=lambda t: -idf[t])
            score = " + ".join(f"p{i}.impact * {idf[t]}" for i, t in enumerate(order))
            joins = "".join(f" JOIN search_posting p{i} ON p{i}.term = %s AND p{i}.entry_id = p0.entry_id"
                            for i in range(1, len(order)))
            cursor.execute(f"SELECT p0.entry_id, {score} AS score FROM search_posting p0{joins} "  # noqa: S608
                           f"WHERE p0.term = %s AND p0.entry_id IN ({sql}) "
                           f"ORDER BY score DESC, p0.entry_id DESC LIMIT %s OFFSET %s",
                           [*order[1:], order[0], *params, size, start])
        else:
            cases = " ".join(f"WHEN %s THEN {idf[t]}" for t in idf)
            cursor.execute(f"SELECT entry_id, SUM(impact * CASE term {cases} END) AS score FROM search_posting "  # noqa: S608
                           f"WHERE term IN ({marks(len(idf))}) AND entry_id IN ({sql}) GROUP BY entry_id "
                           f"ORDER BY score DESC, entry_id DESC LIMIT %s OFFSET %s",
                           [*idf, *idf, *params, size, start])
        return [row[0] for row in cursor.fetchall()]


def _top(tokens, operator, need, qs, checked=None):
    """ranking.top as the search page calls it, the access check recording what it was asked."""
    within = qs.order_by().values("id").query.sql_with_params()

    def permit(ids):
        if checked is not None:
            checked.extend(ids)
        return dict.fromkeys(ranking.permitted(connection, ids, within), True)

    kept, total = ranking.top(ranking.Query(connection, tokens), operator, need, permit)
    return [pk for pk, _ok in kept], total


SCOPES = [lambda: Entry.objects.all(), access.public_entries, lambda: Entry.objects.filter(kind="policy", id__gt=40)]


def test_the_ranking_is_the_one_sql_computes_from_the_rows(database):
    _corpus()
    indexing.upsert("c:7", source="t", kind="policy", title="国库支付管理办法", body="国库 支付 国库", public=True)
    for query in ["国库", "预算 公开", "采购 绩效 债券", "票据 报销", "农田 国库 支付", "说明 管理办法", "国库 不存在的词"]:
        tokens = parse({"q": query}).tokens
        for operator in ("and", "or"):
            for scope in SCOPES:
                qs = scope()
                expected = _reference(tokens, operator, qs, 0, 40)
                for need in (1, 10, 20):
                    ids, total = _top(tokens, operator, need, qs)
                    assert ids == expected[:need], (query, operator, need)
                    # A number of all the allowed matches only when every match was checked, and then right.
                    assert total is None or total == len(_reference(tokens, operator, qs, 0, 10**6))
                # What the search page lists on its second page.
                listed, _total = dbsearch.page(qs, tokens, operator, "relevance", 10, 10)
                assert [e.pk for e in listed] == expected[10:20], (query, operator)


def test_access_is_checked_for_the_best_matches_only(database):
    _corpus()
    checked = []
    ids, total = _top(["说明"], "and", 5, Entry.objects.all(), checked)
    matches, _scores = ranking.Query(connection, ["说明"]).matches("and")
    assert len(ids) == 5 and total is None and len(checked) < len(matches) / 4
    assert ids == _reference(["说明"], "and", Entry.objects.all(), 0, 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pack_made_while_a_writer_holds_the_word_is_not_kept(settings):
    """A search that meets a stale word packs it from the committed rows for itself, and does not
    wait for (or overwrite) a writer that holds the word: the next search after the writer
    commits sees the writer's change."""
    settings.WAGTAILSEARCH_BACKENDS = backend_settings("database")
    indexing.upsert("w:1", source="t", kind="news", title="专项债券发行通知", body="专项债券", public=True)
    indexing.upsert("w:2", source="t", kind="news", title="专项债券管理办法", body="专项债券 管理", public=True)
    base = access.public_entries()
    assert engine.run(parse({"q": "专项债券"}), base).total == 2
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k not in ("cursor_factory", "context")}) as writer:
        # Another writer has the word locked, stale, with a third entry not committed yet.
        writer.execute("UPDATE search_term SET pack = NULL, version = version + 1 WHERE term = '专项债券'")
        assert engine.run(parse({"q": "专项债券"}), base).total == 2  # did not wait for the writer
        writer.rollback()
    indexing.upsert("w:3", source="t", kind="news", title="专项债券资金使用", body="专项债券", public=True)
    assert engine.run(parse({"q": "专项债券"}), base).total == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT pack IS NOT NULL FROM search_term WHERE term = '专项债券'")
        assert cursor.fetchone()[0]


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


def test_words_with_many_alike_best_entries_rank_exactly(database):
    """Each word heads hundreds of short titles, and only a few entries have all of them in the
    title: the page is the one SQL computes for every scope and operator."""
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
    for operator in ("and", "or"):
        for scope in SCOPES[:2] + [lambda: Entry.objects.filter(kind="policy")]:
            qs = scope()
            ids, _total = _top(words, operator, 10, qs)
            assert ids == _reference(words, operator, qs, 0, 10), (operator, str(qs.query))
