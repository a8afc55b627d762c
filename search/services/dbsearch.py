"""Full-text search in the database itself (SQLite FTS5, PostgreSQL), over :class:`EntryText`.

Wagtail's database backends rank with a correlated sub-select per row and index through a
generic table, which is slow at tens of thousands of entries. Here the words of each entry live
in ``search_entrytext`` (full-text indexed by migration 0003: matching for date order,
suggestions) and in postings (migration 0004, :mod:`search.services.postings`, the same SQL on
both databases), read packed, one row per word (:mod:`search.services.packs`): a page by
relevance (:mod:`search.services.ranking`) scores every match in memory and checks access for
the best ones only, keeping the entries the caller's queryset (access and facet filters) allows.
Total and facets are counted exactly up to a limit and estimated above it from a hash-ordered
sample of the allowed matching entries.
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
from search.services import packs, postings, ranking

FTS = "search_entry_fts"
TEXT = "search_entrytext"
ENTRY = Entry._meta.db_table
VENDORS = ("sqlite", "postgresql")
# Ranking weights of the title words against the text words (the text includes the title).
SQLITE_WEIGHTS = "2.0, 1.0, 0.0"  # bm25() weights of the columns title, body, complete
POSTGRES_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # D (text), C, B, A (title)
POSTGRES_NORM = ""  # ts_rank normalization: none
WRITE_BATCH = 1000
READ_WITH_CHECK = 40  # access checked for up to this many entries at once: read them too (a first page)
# Totals and facets above this many matching entries are estimated (settings.SEARCH_EXACT_COUNT_LIMIT).
EXACT_COUNT_LIMIT = 1000


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


def _store(rows: list[EntryText]) -> None:
    EntryText.objects.bulk_create(rows, batch_size=WRITE_BATCH, update_conflicts=True, unique_fields=["entry"],
                                  update_fields=["title", "body", "complete"])


def write(entries: Iterable[Entry]) -> int:
    """Insert or replace the words of ``entries``, in bulk (the full-text index follows: FTS5
    triggers, PostgreSQL generated columns), and their postings."""
    rows = texts(entries)
    ids = [row.entry_id for row in rows]
    with transaction.atomic(using=router.db_for_write(EntryText)):
        # Locked: a concurrent writer of the same entries must see the words this one leaves.
        old = {pk: (title, body) for pk, title, body in EntryText.objects.select_for_update()
               .filter(entry_id__in=ids).order_by("entry_id").values_list("entry_id", "title", "body")}
        _store(rows)
        postings.replace(_writer(), [(r.entry_id, r.title, r.body) for r in rows], old)
    return len(rows)


def forget(words: EntryText, using: str) -> None:
    """``words`` are being deleted (with their entry): so are its postings."""
    postings.forget(connections[using], words.entry_id, words.title, words.body)


def _writer():
    return connections[router.db_for_write(EntryText)]


def optimize() -> None:
    """After a bulk rebuild: merge the FTS5 segments / refresh PostgreSQL's statistics."""
    connection = connections[router.db_for_write(EntryText)]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608 (constant)
        elif connection.vendor == "postgresql" and not connection.in_atomic_block:
            # VACUUM also marks the pages all-visible: index-only scans of the postings and of
            # the entries' facet columns (search_entry_facets) then skip the table.
            for table in (ENTRY, TEXT, postings.POSTING, postings.TERM):
                cursor.execute(f"VACUUM ANALYZE {table}")


def rebuild(batch: int, progress=None) -> int:
    """Write the words of every entry again (words of deleted entries go with them)."""
    total = Entry.objects.count()
    done = 0
    counts = Counter()
    with transaction.atomic(using=router.db_for_write(EntryText)):
        postings.clear(_writer())
        last = 0
        while True:
            chunk = list(Entry.objects.filter(pk__gt=last).order_by("pk")[:batch])
            if not chunk:
                break
            rows = texts(chunk)
            _store(rows)
            postings.fill(_writer(), [(r.entry_id, r.title, r.body) for r in rows], counts)
            done += len(rows)
            last = chunk[-1].pk
            if progress:
                progress(done, total)
        postings.finish(_writer(), counts)
        packs.pack_all(_writer())
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


def _reader():
    return connections[router.db_for_read(EntryText)]


def query(tokens: list[str]) -> ranking.Query:
    """The words of one search, read once for its page and its counts."""
    return ranking.Query(_reader(), tokens)


def page(qs: QuerySet, tokens: list[str] | ranking.Query, operator: str, sort: str, start: int, size: int,
         exclude: Iterable[int] = ()) -> tuple[list[Entry], int | None]:
    """One page of results, and the number of all of them when it comes cheaply (every match was
    checked; a short page), else None. By relevance: from the packed postings
    (:func:`ranking.top`, keeping the entries ``qs`` (access and facet filters) allows); by
    date: the full-text index. ``tokens``: the words, or their :func:`query`."""
    found = tokens if isinstance(tokens, ranking.Query) else query(tokens)
    exclude = list(exclude)
    filtered = qs.exclude(pk__in=exclude) if exclude else qs
    if sort == "date":
        # Sort the ids only (not every matching row with its text), then fetch the page.
        ids = list(matching(filtered, found.terms, operator).order_by("-published_at", "-id")
                   .values_list("id", flat=True)[start:start + size])
        rows = Entry.objects.in_bulk(ids)
        entries, total = [rows[pk] for pk in ids if pk in rows], None
    else:
        within = filtered.order_by().values("id").query.sql_with_params()

        def permit(ids: list[int]) -> dict[int, object]:
            if len(ids) <= READ_WITH_CHECK:  # a first page: its entries are read with their check
                return {e.pk: e for e in filtered.filter(pk__in=ids)}
            return dict.fromkeys(ranking.permitted(_reader(), ids, within), None)

        kept, total = ranking.top(found, operator, start + size, permit)
        kept = kept[start:]
        rows = Entry.objects.in_bulk([pk for pk, entry in kept if entry is None])
        entries = [entry or rows[pk] for pk, entry in kept if entry or pk in rows]
    if total is not None:
        return entries, total
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


def summary(qs: QuerySet, tokens: list[str] | ranking.Query, operator: str, filters: dict,
            names: tuple[str, ...]) -> tuple[int, dict[str, Counter], bool]:
    """The number of matching entries within ``filters``, and the counts per value of each facet
    in ``names`` with the other facets' filters applied (not its own), counted over the matching
    entries of ``qs`` (``qs`` without the facet filters: what the person may open).

    Exact up to :func:`exact_count_limit` matching entries. Above it, estimated (the flag) from
    the first of them in the order of a hash of their id (:func:`postings.sample`): drawn from
    the entries ``qs`` allows only, so an estimate says nothing about entries the person may not
    open, and reading as many rows as an exact count of the limit."""
    within = qs.order_by().values_list("id", *names).query.sql_with_params()
    found = tokens if isinstance(tokens, ranking.Query) else query(tokens)
    rows, scale = ranking.sample(found, operator, exact_count_limit(), within)
    total = 0
    out = {name: Counter() for name in names}
    checks = [(names.index(k) + 1, v) for k, v in filters.items()]
    for row in rows:
        failed = [i for i, v in checks if row[i] != v]
        if not failed:
            total += 1
        for i, name in enumerate(names, start=1):
            if not failed or failed == [i]:
                out[name][row[i]] += 1
    if scale > 1:
        total = round(total * scale)
        out = {name: Counter({v: round(c * scale) for v, c in counter.items()}) for name, counter in out.items()}
    return total, out, scale > 1


def suggest(qs: QuerySet, tokens: list[str], size: int) -> list[Entry]:
    ranked = matching(qs, tokens, "and", ranked=True, complete=True)
    return list(ranked.order_by("-_score", "-id")[:size])
