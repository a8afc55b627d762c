"""Security middleware shared by both deployments."""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than the configured cap before anything reads them.

    Paths listed in ``JINCAI_LARGE_UPLOAD_PATHS`` (streaming bid uploads) enforce their own,
    larger limits.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.JINCAI_MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        large = any(request.path.startswith(p) for p in settings.JINCAI_LARGE_UPLOAD_PATHS)
        if length > limit and not large:
            context = {"limit_mb": limit // (1024 * 1024)}
            return render(request, "common/413.html", context, status=413)
        return self.get_response(request)


def otp_required_for(path: str) -> bool:
    if any(path.startswith(p) for p in settings.JINCAI_OTP_EXEMPT_PREFIXES):
        return False
    return any(path.startswith(p) for p in settings.JINCAI_OTP_PROTECTED_PREFIXES)


class OTPRequiredMiddleware:
    """Every protected URL needs a user who logged in with a verified OTP device.

    A session authenticated any other way (e.g. a password-only login from a library view)
    is logged out and sent to the two-step login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if otp_required_for(request.path):
            user = request.user
            if user.is_authenticated and not user.is_verified():
                logout(request)
            if not (user.is_authenticated and user.is_verified()):
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{reverse('accounts:login')}?{query}")
        return self.get_response(request)




class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with one relaxation: Wagtail's admin still renders some inline scripts
    (date pickers, inline panels), so under the admin prefix only, inline scripts are
    allowed. That area is staff-only behind password + OTP; public pages stay strict.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(settings.JINCAI_CSP_RELAXED_PREFIXES) and parts.update is None:
            parts.update = {"script-src": ["'unsafe-inline'"]}
        return parts


class LanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switcher.

    The browser's Accept-Language is deliberately ignored: a bureau's system speaks
    Chinese by default, whatever locale a workstation happens to be set to.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
