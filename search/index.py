"""Search field helpers that index pre-segmented Chinese text on every backend.

Use them in any model's ``search_fields`` (a Wagtail page or a plain model)::

    from search.index import SegmentedField, SegmentedAutocompleteField

    search_fields = [
        SegmentedField("title", boost=4, sources=("title", "doc_number")),
        SegmentedField("body", sources=("introduction", "body")),
        SegmentedAutocompleteField("title", sources=("title", "doc_number")),
        index.FilterField("year"),
    ]

The field keeps its name (so the database backends still treat ``title`` as the title column and
OpenSearch maps it as text), but its indexed value is :func:`search.analysis.segment` of the named
sources joined together. Queries must then be segmented with :func:`search.analysis.query_tokens`,
which :mod:`search.services.query` does.
"""

from __future__ import annotations

from django.utils.html import strip_tags
from wagtail.search import index

from search.analysis import segment


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    text = str(value)
    return strip_tags(text) if "<" in text else text


class _SegmentedMixin:
    def __init__(self, field_name, *args, sources: tuple[str, ...] | None = None, **kwargs):
        super().__init__(field_name, *args, **kwargs)
        self.sources = tuple(sources or (field_name,))

    def _source_text(self, obj, name: str) -> str:
        if name == self.field_name:
            return _text(super().get_value(obj))
        return _text(index.SearchField(name).get_value(obj))

    def raw_text(self, obj) -> str:
        parts = [self._source_text(obj, name) for name in self.sources]
        return "\n".join(p for p in parts if p)

    def get_value(self, obj):
        # Backends ask for every field's value several times per object (once per index column
        # they fill), and several fields share sources (the title is in the title, the body and
        # the autocomplete field); segmenting is the expensive part, so each source is segmented
        # once per object. Sources are separate texts: no word spans two of them.
        cache = obj.__dict__.setdefault("_segmented_values", {})
        words = []
        for name in self.sources:
            if name not in cache:
                cache[name] = segment(self._source_text(obj, name))
            if cache[name]:
                words.append(cache[name])
        return " ".join(words)


class SegmentedField(_SegmentedMixin, index.SearchField):
    """A full-text field whose value is indexed as segmented words."""


class SegmentedAutocompleteField(_SegmentedMixin, index.AutocompleteField):
    """A search-as-you-type field whose value is indexed as segmented words."""
