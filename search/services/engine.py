"""Running a search through the configured Wagtail search backend: hits with highlighted
snippets, facet counts, sorting, pagination, relaxed matching and suggestions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import QuerySet
from wagtail.search.query import PlainText

from search.analysis import fiscal_terms, normalize, query_tokens
from search.models import Entry, Kind
from search.services import dbsearch, engine_query, highlight
from search.services.query import SearchRequest

FACETS = ("kind", "year", "issuer")
FACET_SIZE = 10
SUGGEST_SIZE = 8


@dataclass
class Hit:
    entry: Entry
    title_html: str
    snippet_html: str

    def as_dict(self) -> dict:
        e = self.entry
        return {
            "title": e.title, "title_html": str(self.title_html), "snippet_html": str(self.snippet_html),
            "url": e.url, "type": e.kind, "type_label": Kind.label_of(e.kind),
            "year": e.year, "issuer": e.issuer, "doc_number": e.doc_number,
            "published_at": e.published_at.isoformat() if e.published_at else None,
        }


@dataclass
class Outcome:
    request: SearchRequest
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[object, str, int]]] = field(default_factory=dict)
    relaxed: bool = False  # hits after the first ``strict_total`` have only some of the words
    estimated: bool = False  # ``total`` is an estimate (rounded), not an exact count
    facets_estimated: bool = False  # so are the facet counts
    strict_total: int = 0
    pages: int = 0
    alternatives: list[str] = field(default_factory=list)

    @property
    def page(self) -> int:
        return min(self.request.page, max(self.pages, 1))


def backend():
    return engine_query.shared_backend()


def _filtered(base: QuerySet, req: SearchRequest, skip: str | None = None) -> QuerySet:
    return base.filter(**{k: v for k, v in req.filters.items() if k != skip})


def _facet_label(name: str, value) -> str:
    if name == "kind":
        return Kind.label_of(value)
    return str(value)


def _hits(out: Outcome, entries: list[Entry]) -> None:
    req = out.request
    for entry in entries:
        out.hits.append(Hit(entry, highlight.mark(entry.title, req.tokens), highlight.snippet(entry.body, req.tokens)))


def _run_in_database(req: SearchRequest, base: QuerySet, with_facets: bool) -> Outcome:
    """:func:`run` on the database's own full-text index: a ranked page, then the total and the
    facets (estimated above a limit, see :func:`dbsearch.summary`)."""
    out = Outcome(request=req)
    qs = _filtered(base, req)
    size = req.per_page
    start = (req.page - 1) * size
    words = dbsearch.query(req.tokens)  # read once for the page and the counts

    def totals(operator: str, exclude=()) -> int:
        # Without facets, only the columns of the filters are read (to apply them).
        names = FACETS if with_facets else tuple(req.filters)
        total, counts, out.estimated = dbsearch.summary(
            base.exclude(pk__in=exclude) if exclude else base, words, operator, req.filters, names)
        if out.estimated:
            total = _about(total)
            counts = {name: {v: _about(c) for v, c in counts[name].items()} for name in names}
        if with_facets:
            out.facets_estimated = out.estimated
            out.facets = {name: _facet_rows(name, counts[name].items()) for name in FACETS}
        return total

    def settle(counted: int, exact: int | None, listed: int) -> int:
        # An exact number the page gave wins over an estimate; an estimate is never below what is listed.
        if exact is not None:
            out.estimated = False
            return exact
        return max(counted, listed) if out.estimated else counted

    entries, total = dbsearch.page(qs, words, "and", req.sort, start, size)
    if total is None and not entries:
        # A page past the entries with every word: how many there are decides what to list.
        total = dbsearch.count(qs, req.tokens, "and")
    if total is not None and total < size and len(req.tokens) > 1:
        # Fewer than a page with every word: entries with some of the words follow them.
        strict = entries if start == 0 else dbsearch.page(qs, words, "and", req.sort, 0, size)[0]
        skip = [e.pk for e in strict]
        rest_start = max(0, start - len(strict))
        rest, rest_total = dbsearch.page(qs, words, "or", req.sort, rest_start, size, exclude=skip)
        shown = strict[start:start + size]
        entries = shown + rest[:size - len(shown)]
        if with_facets or rest_total is None:
            # Facets and total of everything listed: the entries with some of the words.
            rest_total = settle(totals("or"), None if rest_total is None else len(strict) + rest_total,
                                len(strict) + rest_start + len(rest)) - len(strict)
        out.strict_total = len(strict)
        out.total = len(strict) + rest_total
    else:
        counted = totals("and") if with_facets or total is None else total
        out.total = out.strict_total = settle(counted, total, start + len(entries))
    out.relaxed = out.total > out.strict_total
    out.pages = math.ceil(out.total / size) if out.total else 0
    if out.total and req.page > out.pages:
        # Past the end: the last page, as with the search engines.
        return _run_in_database(SearchRequest(**{**req.__dict__, "page": out.pages}), base, with_facets)
    if out.total:
        _hits(out, entries)
    elif with_facets:
        out.facets = {name: [] for name in FACETS}
    if out.total == 0:
        out.alternatives = alternatives(req, base)
    return out


def _about(n: int) -> int:
    """An estimate rounded to two significant digits (约 52,000), so it does not look exact."""
    return int(round(n, 2 - len(str(n)))) if n >= 100 else n


def _facet_rows(name: str, counts) -> list[tuple[object, str, int]]:
    rows = [(v, c) for v, c in counts if v not in (None, "") and c]
    rows.sort(key=lambda vc: (-vc[1], -vc[0] if name == "year" else 0, str(vc[0])))
    return [(v, _facet_label(name, v), c) for v, c in rows[:FACET_SIZE]]


def run(req: SearchRequest, base: QuerySet, *, with_facets: bool = True) -> Outcome:
    """Search ``base`` (already restricted to what the person may see) for ``req``.

    Entries with every word come first; when they are fewer than a page, entries with some of
    the words follow (``relaxed``), ranked by the backend as well.
    """
    out = Outcome(request=req)
    if not req.tokens:
        return out
    engine = backend()
    if dbsearch.available(engine):
        return _run_in_database(req, base, with_facets)
    # A search engine: one request per page (two when the list is relaxed), see engine_query.
    found = engine_query.search(engine, req, base, facet_names=FACETS, with_facets=with_facets)
    out.total = found.total
    out.relaxed = found.total > found.strict_total
    out.pages = math.ceil(out.total / req.per_page) if out.total else 0
    if out.total:
        out.strict_total = found.strict_total
        _hits(out, found.entries)
    if with_facets:
        out.facets = ({name: _facet_rows(name, found.facets[name].items()) for name in FACETS} if out.total
                      else {name: [] for name in FACETS})
    if out.total == 0:
        out.alternatives = alternatives(req, base)
    return out


def suggest(text: str, base: QuerySet, size: int = SUGGEST_SIZE) -> list[dict]:
    """Search-as-you-type: titles and document numbers starting with (words of) ``text``."""
    tokens = query_tokens(text[:60])
    if not tokens:
        return []
    engine = backend()
    if dbsearch.available(engine):
        hits = dbsearch.suggest(base, tokens, size)
    else:
        hits = engine.autocomplete(" ".join(tokens), base, operator="and")[:size]
    return [{"title": e.title, "doc_number": e.doc_number, "url": e.url} for e in hits]


def alternatives(req: SearchRequest, base: QuerySet, size: int = 5) -> list[str]:
    """Fiscal terms that share characters with a query that found nothing, and that do find
    something (so every suggestion leads somewhere)."""
    typed = set(normalize(req.text))
    scored = []
    for term in fiscal_terms():
        overlap = len(typed & set(term))
        if overlap >= 2 and term not in req.tokens and len(term) >= 3:
            scored.append((-overlap / len(term), -overlap, term))
    scored.sort()
    engine = backend()
    in_database = dbsearch.available(engine)
    out = []
    for _score, _overlap, term in scored[:15]:
        words = query_tokens(term)
        if (dbsearch.exists(base, words) if in_database
                else engine.search(PlainText(" ".join(words), operator="and"), base).count()):
            out.append(term)
        if len(out) >= size:
            break
    return out
