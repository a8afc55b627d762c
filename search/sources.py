"""Where entries come from, and how each source is mirrored into the search index.

A source has a ``sync_all()`` that (re)creates the entries of everything it currently offers
and returns their keys, so that a rebuild can also drop entries whose source disappeared.
Apps add their own (the OA will register official documents with their access grants)::

    from search import sources
    sources.register("oa", sync_all=my_sync_all)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time

from django.apps import apps
from django.utils import timezone
from django.utils.html import strip_tags

from search.models import Kind
from search.services import indexing

log = logging.getLogger(__name__)
_SOURCES: dict[str, Callable[[], set[str]]] = {}

PAGE = "page"
EXCHANGE = "exchange"


def register(name: str, *, sync_all: Callable[[], set[str]]) -> None:
    _SOURCES[name] = sync_all


def all_sources() -> dict[str, Callable[[], set[str]]]:
    return dict(_SOURCES)


# --- Wagtail pages -------------------------------------------------------------------------

def page_key(page_id: int) -> str:
    return f"{PAGE}:{page_id}"


def _page_text(page) -> str:
    from wagtail.search import index

    parts = []
    for field in page.get_search_fields():
        if isinstance(field, index.SearchField) and field.field_name != "title":
            value = field.get_value(page)
            if isinstance(value, (list, tuple)):
                value = " ".join(str(v) for v in value)
            if value:
                parts.append(strip_tags(str(value)))
    return "\n".join(parts)


def _page_is_public(page) -> bool:
    return page.live and not page.get_view_restrictions().exists() and page.depth > 1


def sync_page(page_id: int) -> bool:
    """Mirror one page; a page that is gone, not live or restricted is removed. True if indexed."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None or not _page_is_public(page):
        indexing.remove(page_key(page_id))
        return False
    page = page.specific
    kind = getattr(page, "search_kind", Kind.PAGE)
    published = page.first_published_at or page.last_published_at
    indexing.upsert(
        page_key(page.pk), source=PAGE, kind=kind, title=page.title, body=_page_text(page),
        doc_number=str(getattr(page, "doc_number", "") or ""), issuer=str(getattr(page, "issuer", "") or ""),
        published_at=published, url=page.get_url() or page.url_path, public=True,
    )
    return True


def sync_all_pages() -> set[str]:
    from wagtail.models import Page

    keys = set()
    for page_id in Page.objects.filter(depth__gt=1, live=True).values_list("pk", flat=True).iterator():
        if sync_page(page_id):
            keys.add(page_key(page_id))
    return keys


# --- Records arriving by the exchange (kept by the exchange's built-in handler) --------------

POLICY_PUBLISH = "portal.policy.publish"
WITHDRAW = "portal.withdraw"


def policy_key(document_id) -> str:
    return f"{EXCHANGE}:policy:{document_id}"


def sync_record(record_id: int) -> str | None:
    """Apply one received record to the index: the latest revision of a published policy is
    indexed, a withdrawal or repeal removes it. Returns the key when the policy is indexed."""
    ReceivedRecord = apps.get_model("exchange", "ReceivedRecord")
    record = ReceivedRecord.objects.filter(pk=record_id).first()
    if record is None or record.untrusted or record.classification != "public":
        return None
    body = record.payload
    if record.message_type == WITHDRAW:
        indexing.remove(policy_key(body["document_id"]))
        return None
    if record.message_type != POLICY_PUBLISH:
        return None
    latest = ReceivedRecord.objects.filter(message_type=POLICY_PUBLISH, key=record.key).order_by("-pk").first()
    if latest.pk != record.pk:
        return None  # an older revision: the newer one decides
    key = policy_key(body["document_id"])
    if record.withdrawn or body.get("validity") == "repealed":
        indexing.remove(key)
        return None
    issued = date.fromisoformat(body["issued_on"])
    published = timezone.make_aware(datetime.combine(issued, time(9, 0)))
    text = "\n".join(p for p in (body.get("summary", ""), strip_tags(body.get("body_html", ""))) if p)
    indexing.upsert(key, source=EXCHANGE, kind=Kind.POLICY, title=body["title"], body=text,
                    doc_number=body.get("doc_number", ""), issuer=body.get("issuer", ""),
                    published_at=published, public=True)
    return key


def sync_all_records() -> set[str]:
    ReceivedRecord = apps.get_model("exchange", "ReceivedRecord")
    latest: dict[str, int] = {}
    for pk, key in (ReceivedRecord.objects.filter(message_type=POLICY_PUBLISH)
                    .order_by("pk").values_list("pk", "key")):
        latest[key] = pk
    return {key for key in (sync_record(pk) for pk in latest.values()) if key}


register(PAGE, sync_all=sync_all_pages)
register(EXCHANGE, sync_all=sync_all_records)
