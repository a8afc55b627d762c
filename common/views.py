"""Pages every deployment has: health, display preferences, error pages."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

DISPLAY_COOKIE = "jc_display"
DISPLAY_MODES = {"large-text", "high-contrast"}


def healthz(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_POST
def display_preferences(request):
    """Toggle large-text / high-contrast; a cookie so it works without JavaScript."""
    current = set(filter(None, request.COOKIES.get(DISPLAY_COOKIE, "").split(",")))
    mode = request.POST.get("mode")
    if mode == "reset":
        current = set()
    elif mode in DISPLAY_MODES:
        current ^= {mode}
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(DISPLAY_COOKIE, ",".join(sorted(current)), max_age=365 * 86400, samesite="Lax",
                        secure=request.is_secure(), httponly=True)
    return response


def csrf_failure(request, reason=""):
    return render(request, "common/403_csrf.html", status=403)


def bad_request(request, exception=None):
    return render(request, "common/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "common/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "common/404.html", status=404)


def server_error(request):
    return render(request, "common/500.html", status=500)


def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /accounts/\n", content_type="text/plain")
