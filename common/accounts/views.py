"""Two-step login: password, then a one-time password (or first-time enrolment).

The user is not logged in until the second step succeeds: between the steps only the
user's id and the time sit in the session, and they expire after a few minutes.
"""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from common.accounts import otp
from common.accounts.forms import PasswordLoginForm, TokenForm

PENDING_KEY = "jincai_pending_login"
PENDING_TTL = 300


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_TTL:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@never_cache
@sensitive_post_parameters("password")
def login_view(request):
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("The username or password is wrong. Accounts are locked after repeated failures."))
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "user": user.pk, "backend": user.backend, "at": time.time(), "next": _next_url(request),
            }
            step = "accounts:otp" if otp.has_confirmed_device(user) else "accounts:enroll"
            return redirect(step)
    elif request.method == "GET" and request.COOKIES.get("jc_had_session") and not request.user.is_authenticated:
        messages.info(request, _("Your session has expired. Please log in again."))
    response = render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})
    response.delete_cookie("jc_had_session")
    return response


def _complete(request, user, backend, device, next_url):
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)
    otp_login(request, device)
    response = redirect(next_url)
    # Remembered only to tell an expired session apart from a first visit.
    response.set_cookie("jc_had_session", "1", httponly=True, samesite="Lax", secure=request.is_secure())
    return response


def _fail_token(request, user):
    user_login_failed.send(sender=__name__, credentials={"username": user.username, "stage": "otp"},
                           request=request)


@never_cache
@sensitive_post_parameters("token")
def otp_view(request):
    user, pending = _pending_user(request)
    if user is None:
        messages.warning(request, _("Please enter your username and password first."))
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials={"username": user.username}):
            return render(request, "accounts/locked_out.html", status=429)
        device = otp.verify(user, form.cleaned_data["token"])
        if device is not None:
            return _complete(request, user, pending["backend"], device, pending["next"])
        _fail_token(request, user)
        form.add_error("token", _("The one-time password is wrong or has expired."))
    return render(request, "accounts/otp.html", {"form": form, "pending_user": user})


@never_cache
@sensitive_post_parameters("token")
def enroll_view(request):
    user, pending = _pending_user(request)
    if user is None:
        messages.warning(request, _("Please enter your username and password first."))
        return redirect("accounts:login")
    if otp.has_confirmed_device(user):
        return redirect("accounts:otp")
    device = otp.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_enrollment(device, form.cleaned_data["token"])
        if codes is not None:
            response = _complete(request, user, pending["backend"], device, reverse("accounts:backup_codes"))
            request.session["jincai_backup_codes"] = codes
            request.session["jincai_after_codes"] = pending["next"]
            return response
        _fail_token(request, user)
        form.add_error("token", _("The code does not match. Check the time on your phone and try again."))
    context = {"form": form, "qr_svg": otp.qr_svg(device), "secret": otp.base32_secret(device), "pending_user": user}
    return render(request, "accounts/enroll.html", context)


@never_cache
def backup_codes_view(request):
    codes = request.session.pop("jincai_backup_codes", None)
    if not codes:
        return redirect("/")
    next_url = request.session.pop("jincai_after_codes", "/")
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})


@require_POST
def logout_view(request):
    logout(request)
    response = redirect("accounts:login")
    response.delete_cookie("jc_had_session")
    messages.success(request, _("You have logged out."))
    return response
