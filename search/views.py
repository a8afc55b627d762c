"""Search pages and JSON endpoints. The public ones (extranet) search public entries; the staff
ones (intranet) search what the signed-in user may open."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from search.services import access, engine
from search.services.query import MAX_QUERY_CHARS, SORTS, QueryError, parse

log = logging.getLogger(__name__)
PARAMS = ("q", "type", "year", "issuer", "sort")


def _public(request):
    return access.public_entries()


def _staff(request):
    return access.visible_entries(request.user, engine.backend())


def _link(request, **changes) -> str:
    params = {k: request.GET.get(k, "") for k in PARAMS}
    params.update({k: ("" if v is None else str(v)) for k, v in changes.items()})
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _facet_groups(request, outcome) -> list[dict]:
    titles = {"kind": _("Type"), "year": _("Year"), "issuer": _("Issuing body")}
    params = {"kind": "type", "year": "year", "issuer": "issuer"}
    groups = []
    for name, rows in outcome.facets.items():
        param = params[name]
        current = request.GET.get(param, "")
        items = [{"label": label, "count": count, "selected": str(value) == current,
                  "url": _link(request, **{param: "" if str(value) == current else value, "page": None})}
                 for value, label, count in rows]
        groups.append({"name": name, "title": titles[name], "items": items,
                       "clear_url": _link(request, **{param: "", "page": None}) if current else ""})
    return groups


def _unavailable(request, template, api: bool):
    log.exception("search backend failed")
    message = _("Search is temporarily unavailable. Please try again in a few minutes.")
    if api:
        return JsonResponse({"error": {"code": "unavailable", "message": message}}, status=503)
    return render(request, template, {"error": message, "q": request.GET.get("q", "")[:MAX_QUERY_CHARS]},
                  status=503)


def _page(request, base_for, template):
    q = request.GET.get("q", "")
    try:
        req = parse(request.GET)
    except QueryError as e:
        return render(request, template, {"error": e.message, "q": q[:MAX_QUERY_CHARS]}, status=400)
    if not req.tokens:
        return render(request, template, {"q": "", "empty": True})
    try:
        outcome = engine.run(req, base_for(request))
    except Exception:  # noqa: BLE001  (the engine being down must not look like a server error)
        return _unavailable(request, template, api=False)
    page = outcome.page
    context = {
        "q": req.text, "req": req, "outcome": outcome, "facet_groups": _facet_groups(request, outcome),
        "sorts": [{"value": s, "label": _("Relevance") if s == "relevance" else _("Date"),
                   "selected": s == req.sort, "url": _link(request, sort=s, page=None)} for s in SORTS],
        "prev_url": _link(request, page=page - 1) if page > 1 else "",
        "next_url": _link(request, page=page + 1) if page < outcome.pages else "",
        "page_links": [{"number": n, "url": _link(request, page=n), "current": n == page}
                       for n in range(max(1, page - 4), min(outcome.pages, page + 4) + 1)],
        "first_rank": (page - 1) * req.per_page + 1,
        "has_filters": bool(req.filters),
        "clear_filters_url": _link(request, type="", year="", issuer="", page=None),
        "alternative_links": [{"term": t, "url": "?" + urlencode({"q": t})} for t in outcome.alternatives],
    }
    return render(request, template, context)


def _api(request, base_for):
    try:
        req = parse(request.GET)
    except QueryError as e:
        return JsonResponse({"error": {"code": e.code, "message": e.message}}, status=400)
    if not req.tokens:
        return JsonResponse({"error": {"code": "empty", "message": _("Enter something to search for.")}},
                            status=400)
    try:
        outcome = engine.run(req, base_for(request))
    except Exception:  # noqa: BLE001
        return _unavailable(request, None, api=True)
    return JsonResponse({
        "query": req.text, "words": req.tokens, "total": outcome.total,
        # Above a few thousand matches the database backend estimates the total and facet counts.
        "total_is_estimate": outcome.estimated, "facet_counts_are_estimates": outcome.facets_estimated,
        "page": outcome.page,
        "pages": outcome.pages, "per_page": req.per_page, "sort": req.sort, "relaxed": outcome.relaxed,
        "filters": {"type": req.kind, "year": req.year, "issuer": req.issuer},
        "results": [hit.as_dict() for hit in outcome.hits],
        "facets": {name: [{"value": v, "label": label, "count": c} for v, label, c in rows]
                   for name, rows in outcome.facets.items()},
        "alternatives": outcome.alternatives,
    }, json_dumps_params={"ensure_ascii": False})


def _suggest(request, base_for):
    q = request.GET.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        return JsonResponse({"error": {"code": "too_long", "message": _("The search text is too long.")}},
                            status=400)
    try:
        items = engine.suggest(q, base_for(request))
    except Exception:  # noqa: BLE001
        log.exception("suggestions failed")
        items = []
    return JsonResponse({"query": q, "suggestions": items}, json_dumps_params={"ensure_ascii": False})


@require_GET
def public_search(request):
    return _page(request, _public, "search/search.html")


@require_GET
def public_api(request):
    return _api(request, _public)


@require_GET
def public_suggest(request):
    return _suggest(request, _public)


@login_required
@require_GET
def staff_search(request):
    return _page(request, _staff, "search/staff_search.html")


@login_required
@require_GET
def staff_api(request):
    return _api(request, _staff)


@login_required
@require_GET
def staff_suggest(request):
    return _suggest(request, _staff)
