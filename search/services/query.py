"""Turning what a person typed (query text and filters) into a safe search request.

Nothing typed here reaches a backend as syntax: the text becomes segmented words (letters,
digits and CJK characters only) combined by Wagtail's query classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from wagtail.search.query import PlainText

from search.analysis import query_tokens
from search.models import Kind

MAX_QUERY_CHARS = 120
MAX_TOKENS = 16
MAX_PAGE = 500
PER_PAGE = 10
SORTS = ("relevance", "date")
MIN_YEAR, MAX_YEAR = 1949, 2100


class QueryError(ValueError):
    """Bad input, with a message fit to show the person who typed it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SearchRequest:
    text: str = ""
    tokens: list[str] = field(default_factory=list)
    kind: str = ""
    year: int | None = None
    issuer: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def filters(self) -> dict:
        out = {}
        if self.kind:
            out["kind"] = self.kind
        if self.year is not None:
            out["year"] = self.year
        if self.issuer:
            out["issuer"] = self.issuer
        return out

    def query(self, operator: str = "and") -> PlainText:
        return PlainText(" ".join(self.tokens), operator=operator)


def _one(params, name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def _int(raw: str, name: str, low: int, high: int, message: str) -> int:
    if not raw.isdigit() or not (low <= int(raw) <= high):
        raise QueryError(f"bad_{name}", message)
    return int(raw)


def parse(params) -> SearchRequest:
    """Validate ``params`` (a QueryDict or dict). Raises :class:`QueryError`.

    An empty query is not an error here (``tokens`` is empty); callers decide what to show.
    """
    text = _one(params, "q")
    if "\x00" in text:
        raise QueryError("bad_text", _("The search text contains characters that cannot be searched."))
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError("too_long", _("The search text is too long: use at most %(n)d characters.")
                         % {"n": MAX_QUERY_CHARS})
    req = SearchRequest(text=text)
    if text:
        req.tokens = query_tokens(text)
        if not req.tokens:
            raise QueryError("no_words", _("The search text has no words or numbers to look for. "
                                           "Try a title, a subject or a document number."))
        if len(req.tokens) > MAX_TOKENS:
            raise QueryError("too_many_words", _("The search text has too many words: use at most %(n)d.")
                             % {"n": MAX_TOKENS})
    kind = _one(params, "type")
    if kind and kind not in Kind.values:
        raise QueryError("bad_type", _("Unknown content type filter."))
    req.kind = kind
    year = _one(params, "year")
    if year:
        req.year = _int(year, "year", MIN_YEAR, MAX_YEAR, _("The year filter must be a year such as 2024."))
    issuer = _one(params, "issuer")
    if len(issuer) > 200 or "\x00" in issuer:
        raise QueryError("bad_issuer", _("The issuing body filter is not valid."))
    req.issuer = issuer
    sort = _one(params, "sort") or "relevance"
    if sort not in SORTS:
        raise QueryError("bad_sort", _("Results can be sorted by relevance or by date only."))
    req.sort = sort
    page = _one(params, "page") or "1"
    req.page = _int(page, "page", 1, MAX_PAGE, _("The page number is not valid."))
    return req
