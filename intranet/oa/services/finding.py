"""The document list's search: the intranet search index, restricted inside the query to the
entries the user may open (``search.services.access``), so no hit, count or snippet of anything
else can appear. Hits are also checked against the screens' own rule (``visible_documents``):
an entry whose grants lag behind a change (the index is updated just after commit) never shows
a document the user can no longer open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from intranet.oa.models import Document
from intranet.oa.permissions import visible_documents
from intranet.oa.services.indexing import SOURCE
from search.models import Kind
from search.services import access, engine
from search.services.query import MAX_QUERY_CHARS, QueryError, parse

__all__ = ["MAX_QUERY_CHARS", "Found", "QueryError", "Row", "Unavailable", "search"]
log = logging.getLogger(__name__)
LIMIT = 50
PREFIX = f"{SOURCE}:document:"


class Unavailable(Exception):
    """The search backend failed."""


@dataclass
class Row:
    document: Document
    title_html: SafeString
    snippet_html: SafeString
    partial: bool  # has only some of the words


@dataclass
class Found:
    rows: list[Row] = field(default_factory=list)
    more: bool = False  # more documents match than are listed

    @property
    def count(self) -> int:
        return len(self.rows)


def search(user, text: str, *, kind: str = "") -> Found:
    """Documents ``user`` may open matching ``text``, best first; ``kind`` is "out", "in" or ""."""
    req = parse({"q": text, "type": Kind.DOCUMENT})
    req.per_page = LIMIT
    try:
        outcome = engine.run(req, access.visible_entries(user, engine.backend()), with_facets=False)
    except Exception as exc:  # noqa: BLE001  (an engine being down must not look like a server error)
        log.exception("document search failed")
        raise Unavailable from exc
    hits = [(int(h.entry.key[len(PREFIX):]), h) for h in outcome.hits
            if h.entry.key.startswith(PREFIX) and h.entry.key[len(PREFIX):].isdigit()]
    docs = visible_documents(user).filter(pk__in=[pk for pk, _h in hits]).select_related("department")
    if kind:
        docs = docs.filter(kind=kind)
    by_pk = {d.pk: d for d in docs}
    found = Found(more=outcome.total > len(outcome.hits))
    for rank, (pk, hit) in enumerate(hits):
        if pk in by_pk:
            found.rows.append(Row(by_pk[pk], hit.title_html, hit.snippet_html,
                                  partial=outcome.relaxed and rank >= outcome.strict_total))
    return found
