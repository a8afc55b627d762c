from django import template
from django.core.cache import cache

from extranet.portal import cache as page_cache

register = template.Library()


@register.inclusion_tag("portal/includes/nav.html", takes_context=True)
def portal_nav(context):
    """The home page's sections that are shown in menus (cached until the next publish)."""
    key = f"portal:nav:{page_cache.generation()}"
    items = cache.get(key)
    if items is None:
        from extranet.portal.models import HomePage

        home = HomePage.objects.live().first()
        items = [(p.title, p.url) for p in home.get_children().live().in_menu()] if home else []
        cache.set(key, items, 600)
    request = context.get("request")
    path = request.path if request else ""
    return {"items": [{"title": t, "url": u, "current": bool(u and u != "/" and path.startswith(u))} for t, u in items]}


@register.inclusion_tag("portal/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page") or context.get("self")
    if page is None:
        return {"ancestors": []}
    return {"ancestors": page.get_ancestors().filter(depth__gt=1).live(), "page": page}


@register.filter
def validity_class(value):
    return {"valid": "badge-valid", "amended": "badge-amended", "repealed": "badge-repealed"}.get(value, "")


@register.filter
def sanitized(html):
    """Official HTML was cleaned on arrival; cleaning again at display costs little (pages are cached)."""
    from django.utils.safestring import mark_safe

    from exchange.sanitize import clean_html

    return mark_safe(clean_html(html or ""))  # noqa: S308  (nh3 output)


@register.simple_tag(takes_context=True)
def page_query(context):
    """The current filters as a query-string prefix for pagination links (without ``page``)."""
    request = context.get("request")
    if request is None:
        return ""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""
