"""Small helpers shared by the staff screens: permissions, refusals shown as messages, downloads."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.services import scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The treasury's installation-wide screens (agent bank files, clearing, the ledger) mix every
# division's money; only staff who see the home division open them (see services/scope.py).
HOME_ONLY_PERMS = {"view_bankfile", "exchange_bankfile", "view_journalentry", "reverse_journalentry",
                   "close_accountingperiod"}


def needs(*perms):
    """The view needs every one of ``perms`` (codenames of core_finance permissions)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not all(request.user.has_perm(f"core_finance.{p}") for p in perms):
                raise PermissionDenied
            if HOME_ONLY_PERMS.intersection(perms):
                scope.require_home(request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, template: str, title: str, context: dict | None = None, status: int = 200):
    ctx = {"page_title": title, "header_icon": "table"}
    ctx.update(context or {})
    return render(request, f"core_finance/admin/{template}", ctx, status=status)


def attempt(request, action, success_message: str, back: str):
    """Run a service call; a refusal becomes an error message and nothing else happens."""
    try:
        result = action()
    except RowErrors as exc:
        messages.error(request, exc.text)
        request.session["cf_row_errors"] = exc.errors[:200]
        return redirect(back), None
    except FinanceRuleError as exc:
        messages.error(request, exc.text)
        return redirect(back), None
    messages.success(request, success_message)
    return None, result


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def row_errors(request) -> list:
    return request.session.pop("cf_row_errors", [])


def post_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        return view(request, *args, **kwargs)

    return wrapped


def scoped_get(request, model_or_queryset, **lookup):
    """get_object_or_404 within the user's divisions: another division's object is a 404."""
    return scope.get_or_404(model_or_queryset, request.user, **lookup)


def scoped_form(form, user):
    """Narrow every agency-bound choice of ``form`` to the user's divisions."""
    return scope.narrow_form(form, user)
