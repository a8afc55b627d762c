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

    def raw_text(self, obj) -> str:
        parts = []
        for name in self.sources:
            if name == self.field_name:
                value = super().get_value(obj)
            else:
                value = index.SearchField(name).get_value(obj)
            parts.append(_text(value))
        return "\n".join(p for p in parts if p)

    def get_value(self, obj):
        # Backends ask for every field's value several times per object (once per index column
        # they fill); segmenting is the expensive part, so it is done once per object and field.
        cache = obj.__dict__.setdefault("_segmented_values", {})
        key = (self.field_name, self.sources)
        if key not in cache:
            cache[key] = segment(self.raw_text(obj))
        return cache[key]


class SegmentedField(_SegmentedMixin, index.SearchField):
    """A full-text field whose value is indexed as segmented words."""


class SegmentedAutocompleteField(_SegmentedMixin, index.AutocompleteField):
    """A search-as-you-type field whose value is indexed as segmented words."""
