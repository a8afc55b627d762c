"""Fixtures shared by the whole suite.

Real services are selected by the environment exactly as in deployment (DATABASE_URL,
CELERY_BROKER_URL, SEARCH_URL). Tests that need one are marked; without it they skip
locally. CI lists the services it started in JINCAI_REQUIRE (e.g. "browser,postgres,redis,
opensearch"): a test that would skip for want of one of those fails instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

SERVICE_MARKERS = {
    "postgres": lambda: os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
    "redis": lambda: os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
    "opensearch": lambda: bool(os.environ.get("SEARCH_URL")),
    "browser": lambda: bool(shutil.which("chromium") or os.environ.get("CHROMIUM_PATH")),
}


def pytest_runtest_setup(item):
    for name, available in SERVICE_MARKERS.items():
        if item.get_closest_marker(name) and not available():
            pytest.skip(f"needs {name} (not configured in this environment)")


def required_services() -> set[str]:
    return {s.strip() for s in os.environ.get("JINCAI_REQUIRE", "").split(",") if s.strip()}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    needed = {name for name in SERVICE_MARKERS if item.get_closest_marker(name)} & required_services()
    if report.skipped and needed:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"a real-service test skipped although {sorted(needed)} is required here: {reason}"


@pytest.fixture
def make_user(db):
    """Create a user with a confirmed TOTP device; returns (user, password, device)."""
    from django.contrib.auth import get_user_model

    from common.accounts.otp import ensure_totp

    created = []

    def factory(username="staff", password="Correct-Horse-42", **extra):
        user = get_user_model().objects.create_user(username=username, password=password, **extra)
        device = ensure_totp(user, os.urandom(20).hex())
        created.append(user)
        return user, password, device

    return factory


def current_token(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def otp_login():
    """Log a test client in through the real two-step flow."""

    def login(client, username, password, device, next_url="/"):
        response = client.post("/accounts/login/", {"username": username, "password": password, "next": next_url})
        assert response.status_code == 302, response.content[:500]
        response = client.post("/accounts/otp/", {"token": current_token(device)})
        assert response.status_code == 302, response.content[:500]
        return response

    return login


@pytest.fixture
def staff(make_user, client, otp_login):
    """A staff member logged in with password + OTP."""
    user, password, device = make_user("staff", is_staff=True)
    otp_login(client, user.username, password, device)
    return user
