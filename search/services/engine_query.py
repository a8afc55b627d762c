"""One results page from a search engine (OpenSearch or Elasticsearch) in one round trip.

The round trip is an ``_msearch`` of two searches, which the engine runs side by side:

- the page: ranked (``from``/``size``) without counting every match (``track_total_hits`` off),
  so the engine may skip entries that cannot reach the page;
- the counts: ``size=0``, the exact total and one terms aggregation per facet. A ``size=0`` search
  is what the engine's shard request cache keeps by default, until the index next changes, so
  paging through a search's results, or a popular search, does not count everything again. The
  cache is keyed by the whole search, access filter included: counts are never shared between
  people who may see different entries.

Each facet counts with the other facets' filters and not its own: the facet filters go in
``post_filter`` (hits and total) and, per facet, in a ``filter`` aggregation holding the other
facets' filters. The access restriction (what the person may open) and the words are in the query
itself, so hits, total and every count are restricted alike.

The query, the access filter, the field names and the sort come from Wagtail's query compiler for
the configured backend, so the index, its mapping and analyzers are the ones Wagtail creates.
The text is a ``multi_match`` of the segmented words (never a query string), and the engine
returns only each hit's ``pk``: the entry rows come from the database, and highlighting is done
from their text by :mod:`search.services.highlight`, as on the database backends.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import weakref
from dataclasses import dataclass, field

from django.db.models import QuerySet
from modelsearch.conf import get_app_config
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from search.models import Entry
from search.services.query import SearchRequest

# Buckets asked per facet: more than are shown, so that ties at the cut are ordered here
# (engine._facet_rows) rather than by the engine's key order.
FACET_BUCKETS = 50

_backends: dict[str, object] = {}
_backends_lock = threading.Lock()


def shared_backend():
    """The configured search backend, made once per configuration. Wagtail's
    ``get_search_backend`` makes a new one, with a new engine client and so a new connection,
    on every call: that cost more than a whole search on the engine."""
    key = json.dumps(get_app_config().get_search_backend_config(), sort_keys=True, default=str)
    backend = _backends.get(key)
    if backend is None:
        with _backends_lock:
            backend = _backends.get(key)
            if backend is None:
                if len(_backends) > 8:  # settings changed many times (tests): keep the latest only
                    _backends.clear()
                backend = _backends[key] = get_search_backend()
    return backend


@dataclass
class Found:
    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    strict_total: int = 0
    facets: dict[str, dict[object, int]] = field(default_factory=dict)
    requests: int = 0


class _Prepared:
    """What does not change between searches on one backend: Wagtail's query compiler for
    entries (making one walks every indexed model's fields), the name of the backend's
    stored-fields parameter, the index name, the facet columns and the date sort."""

    def __init__(self, backend, model, facet_names: tuple[str, ...]):
        self.compiler = backend.query_compiler_class(model.objects.all(), PlainText("x"))
        self.fields_param = backend.results_class.fields_param_name
        self.index = backend.get_index_for_model(model).name
        filterable = {f.get_attname(model): f for f in model.get_filterable_search_fields()}
        self.columns = {name: self.compiler.mapping.get_field_column_name(filterable[name]) for name in facet_names}
        dated = copy.copy(self.compiler)
        dated.queryset, dated.order_by_relevance = model.objects.order_by("-published_at", "-id"), False
        self.date_sort = dated.get_sort()


_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _prepare(backend, model, facet_names: tuple[str, ...]) -> _Prepared:
    key = (model, facet_names)
    per_backend = _prepared.setdefault(backend, {})
    if key not in per_backend:
        per_backend[key] = _Prepared(backend, model, facet_names)
    return per_backend[key]


class _Search:
    """The compiled pieces of one search request against the Entry index."""

    def __init__(self, backend, req: SearchRequest, base: QuerySet, facet_names: tuple[str, ...]):
        self.backend = backend
        self.req = req
        self.facet_names = facet_names
        self.prepared = prepared = _prepare(backend, base.model, facet_names)
        compiler = copy.copy(prepared.compiler)
        compiler.queryset = base
        compiler.check()  # every filter on ``base`` must translate, or nothing would be restricted
        # The access restriction of ``base`` (and the content type), as Wagtail writes it.
        self.filters = compiler.get_filters()
        self.terms = {name: {"term": {prepared.columns[name]: compiler.mapping._clean_value(value)}}
                      for name, value in req.filters.items()}
        self.sort = prepared.date_sort if req.sort == "date" else None

    def words(self, operator: str) -> dict:
        """The words as a ``multi_match`` over the text fields (with the title's boost)."""
        compiler = copy.copy(self.prepared.compiler)
        compiler.query = self.req.query(operator)
        return compiler.get_inner_query()

    def aggregations(self) -> dict:
        aggs = {}
        for name in self.facet_names:
            terms = {"terms": {"field": self.prepared.columns[name], "size": FACET_BUCKETS}}
            others = [t for other, t in self.terms.items() if other != name]
            if others:
                aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
            else:
                aggs[name] = terms
        return aggs

    def send(self, operator: str, start: int, size: int, *, with_facets: bool, exclude_strict: bool = False) -> dict:
        """The page's hits, the total and (``with_facets``) the facet counts, in one response."""
        post_filter = {"bool": {"filter": list(self.terms.values())}} if self.terms else None
        if exclude_strict:
            # Entries with every word are listed first, from the other request.
            post_filter = post_filter or {"bool": {}}
            post_filter["bool"]["must_not"] = [self.words("and")]
        query = {"bool": {"must": self.words(operator), "filter": self.filters}}
        page = {"query": query, "from": start, "size": size, "track_total_hits": False, "_source": False,
                self.prepared.fields_param: ["pk"]}
        counts = {"query": query, "size": 0, "track_total_hits": True}
        if post_filter:
            page["post_filter"] = counts["post_filter"] = post_filter
        if with_facets:
            counts["aggregations"] = self.aggregations()
        if self.sort:
            page["sort"] = self.sort
        ranked, counted = _msearch(self.backend, self.prepared.index, [page, counts])
        return {"hits": {"total": counted["hits"]["total"], "hits": ranked["hits"]["hits"]},
                "aggregations": counted.get("aggregations", {})}

    def counts(self, response: dict) -> dict[str, dict[object, int]]:
        out = {}
        for name in self.facet_names:
            agg = response["aggregations"][name]
            buckets = (agg["values"] if "values" in agg else agg)["buckets"]
            out[name] = {b["key"]: b["doc_count"] for b in buckets}
        return out


class EngineError(RuntimeError):
    """The search engine refused one of the searches of an ``_msearch`` (which itself succeeds)."""


def _msearch(backend, index: str, bodies: list[dict]) -> list[dict]:
    lines = []
    for body in bodies:
        lines += [{"index": index}, body]
    if backend.use_new_elasticsearch_api:
        try:
            response = backend.es.msearch(searches=lines)
        except TypeError:  # a 7.x Elasticsearch client: the body still
            response = backend.es.msearch(body=lines)
    else:
        response = backend.es.msearch(body=lines)
    responses = list(response["responses"])
    for one in responses:
        if "error" in one:
            raise EngineError(f"search refused by the engine ({one.get('status')}): {json.dumps(one['error'])[:500]}")
    return responses


def _total(response: dict) -> int:
    total = response["hits"]["total"]
    return total["value"] if isinstance(total, dict) else int(total)


def _pks(response: dict) -> list[int]:
    return [int(hit["fields"]["pk"][0]) for hit in response["hits"]["hits"]]


def _entries(base: QuerySet, pks: list[int]) -> list[Entry]:
    """The rows of ``pks`` in that order, from ``base`` again (an entry the person may no longer
    open, or one deleted since it was indexed, is left out)."""
    if not pks:
        return []
    rows = {e.pk: e for e in base.filter(pk__in=pks)}  # a dict: a join on grants may repeat rows
    return [rows[pk] for pk in pks if pk in rows]


def search(backend, req: SearchRequest, base: QuerySet, *, facet_names: tuple[str, ...], with_facets: bool,
           page: int | None = None) -> Found:
    """The entries of ``base`` matching ``req`` on page ``page`` (``req.page`` by default; the last
    page when it is past the end). Entries with every word come first; when they are fewer than a
    page and there are several words, entries with some of the words follow. One request, two
    when the list is relaxed."""
    size = req.per_page
    page = page or req.page
    start = (page - 1) * size
    s = _Search(backend, req, base, facet_names)
    found = Found()
    strict = s.send("and", start, size, with_facets=with_facets)
    found.requests = 1
    found.strict_total = found.total = _total(strict)
    pks = _pks(strict)
    if with_facets:
        found.facets = s.counts(strict)
    if found.strict_total < size and len(req.tokens) > 1:
        shown = pks if start < found.strict_total else []
        rest = s.send("or", max(0, start - found.strict_total), size - len(shown), with_facets=with_facets,
                      exclude_strict=True)
        found.requests += 1
        found.total = found.strict_total + _total(rest)
        pks = shown + _pks(rest)
        if with_facets:
            found.facets = s.counts(rest)  # aggregations see every entry with some of the words
    pages = math.ceil(found.total / size)
    if found.total and page > pages:
        # Past the end: the last page, as the database backends do.
        last = search(backend, req, base, facet_names=facet_names, with_facets=with_facets, page=pages)
        last.requests += found.requests
        return last
    found.entries = _entries(base, pks)
    return found
