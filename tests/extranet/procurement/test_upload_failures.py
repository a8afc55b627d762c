"""Uploads that break off: a session that expires mid-upload, a connection that drops.

These run against a live server so that the request body really streams over a socket.
"""

import socket
import time
from urllib.parse import urlparse

import pytest

from extranet.procurement.models import Bid
from tests.extranet.procurement.conftest import pdf_bytes, stored_nothing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_bid_store")]
BOUNDARY = "----jincai-test-boundary"


def _multipart_head(csrf: str) -> bytes:
    fields = {"csrfmiddlewaretoken": csrf, "lot": "1", "price": "4321.00", "confirm": "on"}
    out = b""
    for name, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    return out


def _open(live_server, client, tender, body_length):
    url = urlparse(live_server.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    head = (f"POST /supplier/bid-upload/{tender.tender_id}/ HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
            f"Cookie: {cookies}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {body_length}\r\nConnection: close\r\n\r\n")
    sock.sendall(head.encode())
    return sock


def _prepare(supplier_client, make_tender):
    tender = make_tender()
    supplier_client.get(f"/supplier/bid-upload/{tender.tender_id}/")
    csrf = supplier_client.cookies["csrftoken"].value
    return tender, csrf


def _read_all(sock) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_session_that_expires_during_the_upload_stores_nothing(live_server, supplier_client, make_tender):
    from django.contrib.sessions.models import Session

    tender, csrf = _prepare(supplier_client, make_tender)
    head, content = _multipart_head(csrf), pdf_bytes("expiring-session", 600_000)
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    sock = _open(live_server, supplier_client, tender, len(head) + len(content) + len(tail))
    sock.sendall(head + content[:300_000])
    time.sleep(0.3)
    Session.objects.all().delete()  # the session ends (expiry or logout elsewhere) mid-upload
    sock.sendall(content[300_000:] + tail)
    response = _read_all(sock).decode(errors="replace")
    sock.close()
    assert " 401 " in response.splitlines()[0]
    assert "上传过程中会话已过期" in response
    assert stored_nothing(tender)


def test_a_broken_connection_stores_nothing(live_server, supplier_client, make_tender, caplog):
    tender, csrf = _prepare(supplier_client, make_tender)
    head, content = _multipart_head(csrf), pdf_bytes("broken-connection", 600_000)
    sock = _open(live_server, supplier_client, tender, len(head) + len(content) + 200)
    sock.sendall(head + content[:250_000])
    time.sleep(0.3)
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    # Wait until the server has given up on the request (it answers 400), however busy the machine.
    path = f"/supplier/bid-upload/{tender.tender_id}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
            r.name == "django.request" and path in r.getMessage() for r in list(caplog.records)):
        time.sleep(0.1)
    assert stored_nothing(tender)
    assert not Bid.objects.exists()
