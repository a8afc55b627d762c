"""Every intranet URL refuses anonymous and password-only sessions (crawls the URL resolver)."""

import pytest

from tests.otp_crawl import all_urls, is_exempt

pytestmark = pytest.mark.django_db


def test_crawl_finds_the_admin_sites(settings):
    urls = all_urls()
    assert any(u.startswith("/admin/") for u in urls)
    assert any(u.startswith("/django-admin/") for u in urls)
    assert len(urls) > 100


def test_every_intranet_url_needs_a_verified_otp_device(client, make_user, settings):
    user, _, _ = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)  # authenticated by password only, never OTP-verified
    unprotected = []
    checked = 0
    for url in all_urls():
        if is_exempt(url, settings):
            continue
        for method in (client.get, client.post):
            client.force_login(user)
            response = method(url)
            checked += 1
            if not (response.status_code == 302 and response.url.startswith("/accounts/login/")):
                unprotected.append((method.__name__, url, response.status_code))
    assert checked > 200
    assert unprotected == []


def test_exempt_prefixes_are_only_login_and_harmless_pages(settings):
    assert set(settings.JINCAI_OTP_EXEMPT_PREFIXES) <= {
        "/accounts/login/", "/accounts/otp/", "/accounts/logout/", "/static/", "/healthz", "/display/",
        "/i18n/", "/favicon.ico",
    }
    assert settings.JINCAI_OTP_PROTECTED_PREFIXES == ["/"]
