"""Secure headers, request size limits, CSRF and upload validation."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from common.uploads import validate_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


def test_secure_headers_on_every_response(client):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_oversized_request_is_refused_before_reading(client, settings):
    settings.JINCAI_MAX_UPLOAD_BYTES = 1024
    response = client.post("/accounts/login/", {"username": "x", "password": "y" * 4000})
    assert response.status_code == 413
    assert "超过了" in response.content.decode()


def test_forged_csrf_token_gets_a_clear_message_and_changes_nothing(make_user):
    user, password, _ = make_user("alice")
    strict = Client(enforce_csrf_checks=True)
    strict.get("/accounts/login/")
    response = strict.post("/accounts/login/", {"username": "alice", "password": password,
                                                "csrfmiddlewaretoken": "forged" * 8})
    assert response.status_code == 403
    assert "表单已失效" in response.content.decode()
    assert "jincai_pending_login" not in strict.session


def test_upload_accepts_by_content_not_by_name():
    assert validate_upload(SimpleUploadedFile("report.pdf", PDF)) == "application/pdf"
    # A PNG renamed to .pdf is still a PNG: accepted only if PNG is allowed.
    assert validate_upload(SimpleUploadedFile("scan.pdf", PNG)) == "image/png"
    with pytest.raises(ValidationError, match="类型不被接受"):
        validate_upload(SimpleUploadedFile("scan.pdf", PNG), allowed={"application/pdf"})


def test_upload_refuses_executables_disguised_as_documents():
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
    with pytest.raises(ValidationError, match="类型不被接受"):
        validate_upload(SimpleUploadedFile("budget.xlsx", elf))


def test_upload_size_and_empty_files():
    with pytest.raises(ValidationError, match="过大"):
        validate_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 2048), max_bytes=1024)
    with pytest.raises(ValidationError, match="空文件"):
        validate_upload(SimpleUploadedFile("empty.pdf", b""))


def test_upload_leaves_the_file_readable_from_the_start():
    f = SimpleUploadedFile("report.pdf", PDF)
    validate_upload(f)
    assert f.read() == PDF
    assert isinstance(f.file, io.BytesIO)


def test_display_preferences_toggle_by_cookie(client):
    response = client.post("/display/", {"mode": "large-text", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert 'class="mode-large-text"' in page
    client.post("/display/", {"mode": "large-text"})
    assert 'class="mode-large-text"' not in client.get("/accounts/login/").content.decode()


def test_display_preferences_refuse_open_redirects(client):
    response = client.post("/display/", {"mode": "high-contrast", "next": "https://evil.example/"})
    assert response.url == "/"


def test_public_pages_forbid_inline_scripts_and_only_the_admin_relaxes(client, staff):
    public_csp = client.get("/accounts/login/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in public_csp and "unsafe-inline" not in public_csp.split("script-src")[1].split(";")[0]
    admin_csp = client.get("/admin/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" in admin_csp.split("script-src")[1].split(";")[0]


def test_chinese_regardless_of_browser_language_and_english_on_request(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert "Username" in page and '<html lang="en"' in page
