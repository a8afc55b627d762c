"""The unified search index entry.

Every searchable thing (portal pages, policies and withdrawals arriving by the exchange, and
later OA documents and finance records) is mirrored into one :class:`Entry` row, which is what
the search backends index. Entries are derived data: ``rebuild_search_index`` recreates them
from their sources at any time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.search import index

from search.index import SegmentedAutocompleteField, SegmentedField

PUBLIC = "public"


class Kind(models.TextChoices):
    POLICY = "policy", _("Policy document")
    NEWS = "news", _("News")
    QA = "qa", _("Questions and answers")
    TENDER = "tender", _("Procurement notice")
    PAGE = "page", _("Page")
    DOCUMENT = "document", _("Official document")
    RECORD = "record", _("Finance record")

    @classmethod
    def label_of(cls, value) -> str:
        """The translated name of ``value``, or the value itself when it is no kind (an old index).
        ``cls.values`` builds a list, with every label, each time it is read."""
        try:
            return str(cls(value).label)
        except ValueError:
            return str(value)


class Entry(index.Indexed, models.Model):
    key = models.CharField(pgettext_lazy("search entry", "key"), max_length=200, unique=True)
    source = models.CharField(_("source"), max_length=50, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("search entry", "title"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(pgettext_lazy("search entry", "year"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # search.services.indexing writes to the backend explicitly, after the grants are saved.
    search_auto_update = False

    search_fields = [
        SegmentedField("title", boost=4, sources=("title", "doc_number")),
        # The title again in the body: the SQLite backend ranks whole rows with bm25, which has
        # no per-column weight, so this is what makes a title match count there as well.
        SegmentedField("body", sources=("title", "doc_number", "body", "issuer")),
        SegmentedAutocompleteField("title", sources=("title", "doc_number")),
        index.FilterField("id"),
        index.FilterField("kind"),
        index.FilterField("year"),
        index.FilterField("issuer"),
        index.FilterField("published_at"),
        index.FilterField("is_public"),
        index.RelatedFields("grants", [index.FilterField("token")]),
    ]

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [
            models.Index(fields=["kind", "year"]), models.Index(fields=["published_at"]),
            # Access and facet columns by id: counting facets reads this index, not the wide rows.
            models.Index(fields=["id", "is_public", "kind", "year", "issuer"], name="search_entry_facets"),
        ]

    def __str__(self):
        return self.title


class EntryText(models.Model):
    """The segmented words of an entry, as the database backends index them.

    Written by :mod:`search.services.dbsearch` only when the database is the search backend. The
    words themselves are indexed by database-specific structures made in migration 0003: an
    FTS5 table kept in step by triggers (SQLite), generated ``tsvector`` columns with GIN indexes
    (PostgreSQL); and, for ranking and counting, the postings of migration 0004, packed per word by
    0005 (written with the
    words, removed when the words are deleted: search.signals).
    """

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="text")
    title = models.TextField(_("title words"), blank=True)
    body = models.TextField(_("text words"), blank=True)
    complete = models.TextField(_("completion words"), blank=True)

    class Meta:
        verbose_name = _("indexed words")
        verbose_name_plural = _("indexed words")

    def __str__(self):
        return self.title


class Grant(models.Model):
    """Who may see a non-public entry: ``user:<id>``, ``dept:<code>`` or ``group:<name>``."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="grants")
    token = models.CharField(_("scope"), max_length=150)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "token"], name="search_grant_once")]
        indexes = [models.Index(fields=["token", "entry"])]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")

    def __str__(self):
        return self.token
