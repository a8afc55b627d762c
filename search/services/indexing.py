"""Keeping entries and the search index in step with their sources.

Entries are written here and pushed to the backend right away (``Entry.search_auto_update`` is
off, so nothing is indexed twice). Callers run these functions in Celery tasks
(``search.tasks``); the full rebuild is ``manage.py rebuild_search_index``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from search.analysis import parse_doc_number
from search.models import Entry, Grant
from search.services import dbsearch
from search.services.engine_query import shared_backend as get_search_backend

log = logging.getLogger(__name__)
BATCH = 500
MERGE_TIMEOUT = 1800  # seconds: merging a large new index into one segment
_ready_indexes: set[str] = set()


def _index():
    backend = get_search_backend()
    index = backend.get_index_for_model(Entry)
    key = f"{type(backend).__name__}:{index.get_key()}"
    if key not in _ready_indexes and hasattr(index, "exists"):
        # A search engine would otherwise create the index on first write, with default analyzers.
        if not index.exists():
            index.put()
            index.add_model(Entry)
        _ready_indexes.add(key)
    return backend, index


def push(entries: Iterable[Entry]) -> None:
    """Write ``entries`` (with their grants) into the search backend."""
    entries = list(entries)
    if not entries:
        return
    if dbsearch.available(get_search_backend()):
        dbsearch.write(entries)
        return
    _backend, index = _index()
    entries = list(Entry.objects.filter(pk__in=[e.pk for e in entries]).prefetch_related("grants"))
    index.add_items(Entry, entries)


def refresh() -> None:
    """Make recent writes visible to searches now (search engines refresh about once a second)."""
    if dbsearch.available(get_search_backend()):
        return
    _backend, index = _index()
    index.refresh()


def _year(published_at: datetime | None, doc_number: str) -> int | None:
    parsed = parse_doc_number(doc_number) if doc_number else None
    if parsed:
        return parsed[1]
    return published_at.year if published_at else None


def upsert(key: str, *, source: str, kind: str, title: str, body: str = "", doc_number: str = "",
           issuer: str = "", published_at: datetime | None = None, url: str = "", public: bool = False,
           grants: Iterable[str] = (), year: int | None = None) -> Entry:
    """Create or replace the entry ``key`` and index it."""
    published_at = published_at or timezone.now()
    values = {
        "source": source, "kind": kind, "title": title[:500], "body": body or "", "doc_number": doc_number[:100],
        "issuer": issuer[:200], "published_at": published_at, "url": url[:500], "is_public": public,
        "year": year if year is not None else _year(published_at, doc_number),
    }
    with transaction.atomic():
        entry, _created = Entry.objects.update_or_create(key=key, defaults=values)
        wanted = set(grants)
        existing = set(entry.grants.values_list("token", flat=True))
        if wanted != existing:
            entry.grants.exclude(token__in=wanted).delete()
            Grant.objects.bulk_create([Grant(entry=entry, token=t) for t in wanted - existing])
        push([entry])
    return entry


def remove(key: str) -> bool:
    """Delete the entry ``key`` from the database and the index; False if there was none."""
    entry = Entry.objects.filter(key=key).first()
    if entry is None:
        return False
    backend, _index_ = _index()
    with transaction.atomic():
        backend.delete(entry)
        entry.delete()
    return True


def remove_source(source: str, keep: set[str]) -> int:
    """Delete the entries of ``source`` whose key is not in ``keep`` (they no longer exist)."""
    removed = 0
    for entry in Entry.objects.filter(source=source).exclude(key__in=keep).iterator():
        removed += remove(entry.key)
    return removed


def reindex_all(progress: Callable[[int, int], None] | None = None, batch: int = BATCH) -> int:
    """Rebuild the backend's index of every entry from the database (atomically on search
    engines: a new index replaces the old one when complete; in one transaction in the database).
    Writes in bulk: ``batch`` entries per statement or engine request."""
    backend = get_search_backend()
    if dbsearch.available(backend):
        done = dbsearch.rebuild(batch, progress)
        if progress and not done:
            progress(0, 0)
        return done
    index = backend.get_index_for_model(Entry)
    rebuilder = backend.rebuilder_class(index)
    index = rebuilder.start()
    index.add_model(Entry)
    total = Entry.objects.count()
    done = 0
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    mapping = index.mapping_class(Entry)
    # No periodic refresh while the new index fills (nobody searches it before the alias moves):
    # the engine then writes larger segments and merges less. finish() refreshes it once.
    _index_settings(backend, index.name, {"refresh_interval": "-1"})
    try:
        # Documents are made here (segmenting the text is the costly part, in Python) while the
        # engine indexes the previous batch: one _bulk request in flight at a time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-bulk") as sender:
            in_flight = None
            for start in range(0, len(ids), batch):
                chunk = list(Entry.objects.filter(pk__in=ids[start:start + batch]).prefetch_related("grants"))
                actions = [{"_id": mapping.get_document_id(e), **mapping.get_document(e)} for e in chunk]
                if in_flight is not None:
                    done += in_flight.result()
                    if progress:
                        progress(done, total)
                in_flight = sender.submit(_send, backend, index.name, actions)
            if in_flight is not None:
                done += in_flight.result()
                if progress:
                    progress(done, total)
    finally:
        _index_settings(backend, index.name, {"refresh_interval": None})  # back to the engine's default
    # Before searches see it: one segment makes each search cheaper and leaves no merging to do
    # behind them (as optimize() does after a database rebuild). Later changes add small segments
    # the engine merges as usual.
    backend.es.indices.forcemerge(index=index.name, max_num_segments=1, request_timeout=MERGE_TIMEOUT)
    rebuilder.finish()
    _ready_indexes.clear()
    if progress and not total:
        progress(0, 0)
    return done


def _send(backend, index_name: str, actions: list[dict]) -> int:
    if actions:
        backend.bulk(backend.es, actions, index=index_name)
    return len(actions)


def _index_settings(backend, index_name: str, values: dict) -> None:
    body = {"index": values}
    if backend.use_new_elasticsearch_api:
        backend.es.indices.put_settings(index=index_name, settings=body)
    else:
        backend.es.indices.put_settings(index=index_name, body=body)
