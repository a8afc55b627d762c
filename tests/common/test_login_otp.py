"""Password + OTP login, enrolment, lock-out and the refusal of half-authenticated sessions."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.audit.models import AuditEvent
from tests.conftest import current_token

pytestmark = pytest.mark.django_db


def test_password_alone_does_not_log_in(client, make_user):
    user, password, _ = make_user("alice", is_staff=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302 and response.url == reverse("accounts:otp")
    # Between the two steps the user is not logged in: the workbench still demands a login.
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_full_login_reaches_the_workbench_and_is_audited(client, make_user, otp_login):
    user, password, device = make_user("alice", is_staff=True)
    otp_login(client, "alice", password, device)
    response = client.get("/")
    assert response.status_code == 200
    assert "工作台" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor="alice").exists()


def test_wrong_otp_gives_chinese_error_and_no_session(client, make_user):
    user, password, device = make_user("alice", is_staff=True)
    client.post("/accounts/login/", {"username": "alice", "password": password})
    wrong = f"{(int(current_token(device)) + 1) % 1000000:06d}"
    response = client.post("/accounts/otp/", {"token": wrong})
    assert response.status_code == 200
    assert "一次性密码错误或已过期" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed", actor="alice").exists()


def test_wrong_password_message_is_chinese(client, make_user):
    make_user("alice")
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_lockout_after_repeated_failures(client, make_user, settings):
    user, password, device = make_user("alice", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong-password-1A"})
    # Even the right password is now refused, with a clear message.
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 429
    assert "账户已被暂时锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_first_login_enrols_an_authenticator_and_shows_backup_codes(client, django_user_model):
    django_user_model.objects.create_user("newbie", password="Fresh-Start-2026", is_staff=True)
    response = client.post("/accounts/login/", {"username": "newbie", "password": "Fresh-Start-2026"})
    assert response.url == reverse("accounts:enroll")
    page = client.get(response.url).content.decode()
    assert "<svg" in page  # the QR code
    device = TOTPDevice.objects.get(user__username="newbie", confirmed=False)
    response = client.post(reverse("accounts:enroll"), {"token": current_token(device)})
    assert response.url == reverse("accounts:backup_codes")
    codes_page = client.get(response.url).content.decode()
    assert "备用验证码" in codes_page
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_backup_code_works_once(client, make_user):
    from common.accounts.otp import issue_backup_codes

    user, password, _ = make_user("alice", is_staff=True)
    code = issue_backup_codes(user)[0]
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.post("/accounts/otp/", {"token": code}).status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "alice", "password": password})
    response = client.post("/accounts/otp/", {"token": code})
    assert response.status_code == 200  # refused the second time


def test_otp_step_without_password_step_is_refused(client):
    response = client.get("/accounts/otp/")
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_password_only_session_is_thrown_out(client, make_user):
    """A session authenticated without OTP (e.g. by another login path) reaches nothing."""
    user, _, _ = make_user("alice", is_staff=True, is_superuser=True)
    client.force_login(user)
    for url in ("/", "/admin/", "/django-admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_expired_session_gets_a_clear_message(client, make_user, otp_login):
    user, password, device = make_user("alice", is_staff=True)
    otp_login(client, "alice", password, device)
    client.session.flush()
    session_cookie = client.cookies.get("sessionid")
    if session_cookie:
        del client.cookies["sessionid"]
    response = client.get("/", follow=True)
    assert "会话已过期" in response.content.decode()


def test_open_redirect_after_login_is_refused(client, make_user):
    user, password, device = make_user("alice", is_staff=True)
    client.post("/accounts/login/", {"username": "alice", "password": password, "next": "https://evil.example/"})
    response = client.post("/accounts/otp/", {"token": current_token(device)})
    assert response.url == "/"


def test_password_policy_rejects_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1A!", "alllowercaseletters", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Bureau-Strong-2026")
