"""On the extranet every staff and supplier URL refuses sessions without a verified OTP device."""

import pytest

from tests.otp_crawl import all_urls

pytestmark = pytest.mark.django_db


def test_every_protected_extranet_url_needs_otp(client, make_user, settings):
    user, _, _ = make_user("editor", is_staff=True, is_superuser=True)
    protected = [u for u in all_urls() if any(u.startswith(p) for p in settings.JINCAI_OTP_PROTECTED_PREFIXES)
                 and not u.startswith("/admin/login/")]
    assert any(u.startswith("/admin/") for u in protected) and any(u.startswith("/django-admin/") for u in protected)
    leaks = []
    for url in protected:
        client.force_login(user)
        response = client.get(url)
        if not (response.status_code == 302 and response.url.startswith("/accounts/login/")):
            leaks.append((url, response.status_code))
    assert leaks == []


def test_admin_login_pages_hand_over_to_the_two_step_login(client):
    for url in ("/admin/login/?next=/admin/pages/", "/django-admin/login/?next=/django-admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")


def test_editor_reaches_wagtail_admin_after_otp(client, make_user, otp_login):
    from django.contrib.auth.models import Permission

    user, password, device = make_user("editor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    otp_login(client, "editor", password, device, next_url="/admin/")
    assert client.get("/admin/").status_code == 200
