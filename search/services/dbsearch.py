"""Full-text search in the database itself (SQLite FTS5, PostgreSQL), over :class:`EntryText`.

Wagtail's database backends rank with a correlated sub-select per row and index through a
generic table, which is slow at tens of thousands of entries. Here the words of each entry live
in ``search_entrytext`` (full-text indexed by migration 0003) and a search is one statement:
the full-text match joined to the entry row, the access and facet filters of the caller's
queryset, ranking of the matching rows only and ``LIMIT``; the total comes with the page as a
window count. Facets are one grouped count. OpenSearch/Elasticsearch keep using Wagtail's
backends (:mod:`search.services.engine`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import Count, QuerySet

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


def page(qs: QuerySet, tokens: list[str], operator: str, sort: str, start: int, size: int,
         exclude: Iterable[int] = (), with_total: bool = True) -> tuple[list[Entry], int | None]:
    """One page of results, and the number of all of them when it comes cheaply (``with_total``:
    in the same statement on PostgreSQL; a short first page on both), else None."""
    qs = matching(qs, tokens, operator, ranked=sort != "date")
    exclude = list(exclude)
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


def summary(qs: QuerySet, tokens: list[str], operator: str, filters: dict,
            names: tuple[str, ...]) -> tuple[int, dict[str, Counter]]:
    """The number of matching entries within ``filters``, and the counts per value of each facet
    in ``names`` with the other facets' filters applied (not its own): all from one grouped
    count of the matching entries (``qs`` without the facet filters)."""
    grouped = matching(qs, tokens, operator).order_by().values_list(*names).annotate(n=Count("id"))
    sql, params = grouped.query.sql_with_params()
    connection = connections[grouped.db]
    with connection.cursor() as cursor:  # plain rows: model field converters cost more than the count
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = 0
    out = {name: Counter() for name in names}
    positions = {name: i for i, name in enumerate(names)}
    checks = [(positions[k], v) for k, v in filters.items()]
    for row in rows:
        failed = [i for i, v in checks if row[i] != v]
        if not failed:
            total += row[-1]
        for i, name in enumerate(names):
            if not failed or failed == [i]:
                out[name][row[i]] += row[-1]
    return total, out


def suggest(qs: QuerySet, tokens: list[str], size: int) -> list[Entry]:
    ranked = matching(qs, tokens, "and", ranked=True, complete=True)
    return list(ranked.order_by("-_score", "-id")[:size])
