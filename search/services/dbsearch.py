"""Full-text search in the database itself (SQLite FTS5, PostgreSQL), over :class:`EntryText`.

Wagtail's database backends rank with a correlated sub-select per row and index through a
generic table, which is slow at tens of thousands of entries. Here the words of each entry live
in ``search_entrytext`` (full-text indexed by migration 0003). A page by relevance ranks the
index alone and keeps the best candidates the caller's queryset (access and facet filters)
allows, or else ranks within the queryset in one statement. Total and facets are counted exactly
up to a limit and estimated from a sample of the allowed matching entries above it.
OpenSearch/Elasticsearch keep using Wagtail's backends (:mod:`search.services.engine`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import QuerySet

from search.index import SegmentedAutocompleteField, SegmentedField
from search.models import Entry, EntryText

FTS = "search_entry_fts"
TEXT = "search_entrytext"
ENTRY = Entry._meta.db_table
VENDORS = ("sqlite", "postgresql")
# Ranking weights of the title words against the text words (the text includes the title).
SQLITE_WEIGHTS = "2.0, 1.0, 0.0"  # bm25() weights of the columns title, body, complete
POSTGRES_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # D (text), C, B, A (title)
POSTGRES_NORM = ""  # ts_rank normalization: none
WRITE_BATCH = 1000
# Ranking the index alone takes this many candidates per entry wanted (plus a few): enough when
# most entries are allowed (the public site, staff who may open most of them); else the ranking
# runs again within the allowed entries.
CANDIDATES_PER_HIT = 5
CANDIDATES_EXTRA = 50
MAX_CANDIDATES = 2000
# Totals and facets above this many matching entries are estimated (settings.SEARCH_EXACT_COUNT_LIMIT).
EXACT_COUNT_LIMIT = 1000
SAMPLE_STEP = 2
HASH_MULTIPLIER, HASH_RANGE = 2654435761, 2**32  # Fibonacci hashing of ids into [0, 2**32)


def vendor() -> str:
    return connections[router.db_for_read(Entry)].vendor


def available(backend) -> bool:
    """True when ``backend`` is Wagtail's database backend on a database this module handles."""
    from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

    return not isinstance(backend, ElasticsearchBaseSearchBackend) and vendor() in VENDORS


# --- Writing --------------------------------------------------------------------------------

def _fields():
    title = body = complete = None
    for f in Entry.get_search_fields():
        if isinstance(f, SegmentedAutocompleteField):
            complete = f
        elif isinstance(f, SegmentedField):
            if f.field_name == "title":
                title = f
            else:
                body = f
    return title, body, complete


def texts(entries: Iterable[Entry]) -> list[EntryText]:
    """The segmented words of ``entries`` (the same values the search engines index)."""
    title, body, complete = _fields()
    return [EntryText(entry_id=e.pk, title=title.get_value(e), body=body.get_value(e),
                      complete=complete.get_value(e)) for e in entries]


def write(entries: Iterable[Entry]) -> int:
    """Insert or replace the words of ``entries``, in bulk (the index follows: FTS5 triggers,
    PostgreSQL generated columns)."""
    rows = texts(entries)
    EntryText.objects.bulk_create(rows, batch_size=WRITE_BATCH, update_conflicts=True, unique_fields=["entry"],
                                  update_fields=["title", "body", "complete"])
    return len(rows)


def optimize() -> None:
    """After a bulk rebuild: merge the FTS5 segments / refresh PostgreSQL's statistics."""
    connection = connections[router.db_for_write(EntryText)]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608 (constant)
        elif connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"ANALYZE {TEXT}")


def rebuild(batch: int, progress=None) -> int:
    """Write the words of every entry again (words of deleted entries go with them)."""
    total = Entry.objects.count()
    done = 0
    with transaction.atomic(using=router.db_for_write(EntryText)):
        last = 0
        while True:
            chunk = list(Entry.objects.filter(pk__gt=last).order_by("pk")[:batch])
            if not chunk:
                break
            done += write(chunk)
            last = chunk[-1].pk
            if progress:
                progress(done, total)
    optimize()
    return done


# --- Searching ------------------------------------------------------------------------------

def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _sqlite_match(tokens: list[str], operator: str, columns: str, prefix_last: bool = False) -> str:
    terms = [_quoted(t) for t in tokens]
    if prefix_last:
        terms[-1] += "*"
    joiner = " AND " if operator == "and" else " OR "
    return f"{{{columns}}} : ({joiner.join(terms)})"


def _pg_tsquery(tokens: list[str], operator: str, prefix_last: bool = False) -> tuple[str, list[str]]:
    parts = ["phraseto_tsquery('simple', %s)"] * len(tokens)
    if prefix_last:
        parts[-1] = "to_tsquery('simple', quote_literal(%s) || ':*')"
    joiner = " && " if operator == "and" else " || "
    return "(" + joiner.join(parts) + ")", list(tokens)


def matching(qs: QuerySet, tokens: list[str], operator: str = "and", *, ranked: bool = False,
             complete: bool = False) -> QuerySet:
    """``qs`` restricted to entries with the words (all of them or, with ``operator="or"``, any);
    ``ranked`` adds ``_score`` (higher is better) to order by."""
    if vendor() == "sqlite":
        columns = "complete" if complete else "title body"
        where = [f"{FTS}.rowid = {ENTRY}.id", f"{FTS} MATCH %s"]
        params = [_sqlite_match(tokens, operator, columns, prefix_last=complete)]
        qs = qs.extra(tables=[FTS], where=where, params=params)  # noqa: S610 (constant SQL, parameters)
        if ranked:
            weights = "0.0, 0.0, 1.0" if complete else SQLITE_WEIGHTS
            qs = qs.extra(select={"_score": f"-bm25({FTS}, {weights})"})  # noqa: S610
        return qs
    column = "completion" if complete else "document"
    tsquery, params = _pg_tsquery(tokens, operator, prefix_last=complete)
    where = [f"{TEXT}.entry_id = {ENTRY}.id", f"{TEXT}.{column} @@ {tsquery}"]
    qs = qs.extra(tables=[TEXT], where=where, params=params)  # noqa: S610
    if ranked:
        qs = qs.extra(select={"_score": f"ts_rank({POSTGRES_WEIGHTS}, {TEXT}.{column}, {tsquery}{POSTGRES_NORM})"},  # noqa: S610
                      select_params=params)
    return qs


def _ranked_ids(tokens: list[str], operator: str, limit: int) -> list[int]:
    """The ids of the ``limit`` best-ranked entries with the words, from the full-text index
    alone (no entry rows read), in the order of :func:`matching`'s ``_score`` (ties: newest id)."""
    connection = connections[router.db_for_read(EntryText)]
    if connection.vendor == "sqlite":
        sql = (f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s "  # noqa: S608 (constants, parameters)
               f"ORDER BY bm25({FTS}, {SQLITE_WEIGHTS}), rowid DESC LIMIT %s")
        params = [_sqlite_match(tokens, operator, "title body"), limit]
    else:
        tsquery, words = _pg_tsquery(tokens, operator)
        sql = (f"SELECT entry_id FROM {TEXT} WHERE document @@ {tsquery} "  # noqa: S608
               f"ORDER BY ts_rank({POSTGRES_WEIGHTS}, document, {tsquery}{POSTGRES_NORM}) DESC, entry_id DESC LIMIT %s")
        params = [*words, *words, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _ranked_page(qs: QuerySet, tokens: list[str], operator: str, start: int, size: int,
                 exclude: list[int]) -> tuple[list[int], bool] | None:
    """The ids of one ranked page, ranking the index alone and then keeping the candidates ``qs``
    (access and facet filters) allows; None when too few of the best candidates are allowed to
    fill the page (the caller ranks within ``qs`` instead). Exact: an allowed entry ranked above
    the page's last one is among the candidates. The flag: every matching entry was a candidate."""
    need = start + size + len(exclude)
    limit = CANDIDATES_PER_HIT * need + CANDIDATES_EXTRA
    if limit > MAX_CANDIDATES:  # deep pages: one statement within the allowed entries is cheaper
        return None
    candidates = _ranked_ids(tokens, operator, limit)
    allowed = set(qs.filter(pk__in=candidates).exclude(pk__in=exclude).values_list("id", flat=True))
    kept = [pk for pk in candidates if pk in allowed]
    complete = len(candidates) < limit
    if len(kept) < start + size and not complete:
        return None
    return kept[start:start + size], (len(kept) if complete else None)


def page(qs: QuerySet, tokens: list[str], operator: str, sort: str, start: int, size: int,
         exclude: Iterable[int] = (), with_total: bool = True) -> tuple[list[Entry], int | None]:
    """One page of results, and the number of all of them when it comes cheaply (``with_total``:
    in the same statement on PostgreSQL; a short first page on both), else None."""
    exclude = list(exclude)
    if sort != "date":
        ranked = _ranked_page(qs, tokens, operator, start, size, exclude)
        if ranked is not None:
            ids, total = ranked
            found = Entry.objects.in_bulk(ids)
            entries = [found[pk] for pk in ids if pk in found]
            if total is not None:
                return entries, total
            if len(entries) < size and (entries or not start):
                return entries, start + len(entries)
            return entries, None
    qs = matching(qs, tokens, operator, ranked=sort != "date")
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    # Without the window the rows past the page need not be joined to their entries.
    window = with_total and vendor() == "postgresql"
    if window:
        # SQLite cannot compute bm25() once a window function is in the statement.
        qs = qs.extra(select={"_total": "COUNT(*) OVER ()"})  # noqa: S610
    ordered = qs.order_by("-published_at", "-id") if sort == "date" else qs.order_by("-_score", "-id")
    # Rank and sort the ids only (not every matching row with its text), then fetch the page.
    rows = list(ordered.values_list("id", "_total" if window else "id")[start:start + size])
    found = Entry.objects.in_bulk([pk for pk, _ in rows])
    entries = [found[pk] for pk, _ in rows if pk in found]
    if window and rows:
        return entries, rows[0][1]
    if len(entries) < size and (entries or not start):
        return entries, start + len(entries)
    return entries, None


def count(qs: QuerySet, tokens: list[str], operator: str = "and", exclude: Iterable[int] = ()) -> int:
    qs = matching(qs, tokens, operator)
    exclude = list(exclude)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return qs.count()


def exists(qs: QuerySet, tokens: list[str]) -> bool:
    return matching(qs, tokens).exists()


def exact_count_limit() -> int:
    """Up to this many matching entries, the total and the facets are counted exactly; above it
    they are estimated from a sample (and shown as an estimate)."""
    return int(getattr(settings, "SEARCH_EXACT_COUNT_LIMIT", EXACT_COUNT_LIMIT))


def _facet_values(qs: QuerySet, names: tuple[str, ...], limit: int, rate: int = 1) -> list[tuple]:
    """The ids and facet values of at most ``limit`` matching entries of ``qs``: with ``rate``,
    of one in ``rate`` of them, drawn by a hash of the id (consecutive ids, which often share a
    type or a batch, land apart) before the entry rows are read."""
    if rate > 1:
        column = f"{FTS}.rowid" if vendor() == "sqlite" else f"{TEXT}.entry_id"
        qs = qs.extra(where=[f"({column} * {HASH_MULTIPLIER}) %% {HASH_RANGE} < {HASH_RANGE // rate}"])  # noqa: S610
    rows = qs.order_by().values_list("id", *names)[:limit]
    sql, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    with connection.cursor() as cursor:  # plain rows: model field converters cost more than the count
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sample_rate(qs: QuerySet, ids: list[int], limit: int) -> int:
    """A sampling rate that leaves about half ``limit`` of the matching entries, guessed from
    the ids of the first ``limit`` found: the share of the allowed entries' ids they span."""
    top = qs.order_by("-id").values_list("id", flat=True).first() or max(ids)
    low, high = min(ids), max(ids)
    guess = len(ids) * (top - low + 1) / (high - low + 1)
    rate = SAMPLE_STEP
    while guess / rate > limit / 2:
        rate *= SAMPLE_STEP
    return rate


def summary(qs: QuerySet, tokens: list[str], operator: str, filters: dict,
            names: tuple[str, ...]) -> tuple[int, dict[str, Counter], bool]:
    """The number of matching entries within ``filters``, and the counts per value of each facet
    in ``names`` with the other facets' filters applied (not its own), counted over the matching
    entries of ``qs`` (``qs`` without the facet filters: what the person may open).

    Exact up to :func:`exact_count_limit` matching entries. Above it, estimated (the flag) from
    the entries whose id is a multiple of a sampling rate: a sample of about half the limit,
    where an exact count reads every matching entry. The rate is chosen from the entries found
    and the sample is drawn from the entries ``qs`` allows only, so an estimate says nothing
    about entries the person may not open."""
    limit = exact_count_limit()
    matches = matching(qs, tokens, operator)
    rate = 1
    rows = _facet_values(matches, names, limit + 1)
    if len(rows) > limit:
        rate = _sample_rate(qs, [row[0] for row in rows], limit)
        rows = _facet_values(matches, names, limit + 1, rate)
        while len(rows) > limit:  # the guess was low: a sparser sample
            rate *= SAMPLE_STEP
            rows = _facet_values(matches, names, limit + 1, rate)
    total = 0
    out = {name: Counter() for name in names}
    checks = [(names.index(k) + 1, v) for k, v in filters.items()]
    for row in rows:
        failed = [i for i, v in checks if row[i] != v]
        if not failed:
            total += rate
        for i, name in enumerate(names, start=1):
            if not failed or failed == [i]:
                out[name][row[i]] += rate
    return total, out, rate > 1


def suggest(qs: QuerySet, tokens: list[str], size: int) -> list[Entry]:
    ranked = matching(qs, tokens, "and", ranked=True, complete=True)
    return list(ranked.order_by("-_score", "-id")[:size])
