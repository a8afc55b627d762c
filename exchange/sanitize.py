"""HTML that arrives by exchange is sanitized with nh3 before anything stores or shows it."""

from __future__ import annotations

import nh3

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "pre", "code", "span", "div",
    "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption", "a", "hr",
}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
              "*": {"lang"}}

# Built once: building the allowlists is most of the cost of a one-off ``nh3.clean`` call.
_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                       link_rel="noopener noreferrer nofollow")


def clean_html(value: str) -> str:
    return _CLEANER.clean(value)
