"""A bid file of 200 MB streams through the live server without being held in memory, and what is
stored decrypts to exactly what was sent; no encryption process outlives an upload."""

import hashlib
import os
import socket
import subprocess
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

import pytest

from extranet.procurement.models import Bid
from extranet.procurement.sealing import bid_store
from tests.extranet.procurement.conftest import PDF_HEAD, bid_post, pdf_bytes, stored_nothing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("own_bid_store")]
BOUNDARY = "----jincai-large-bid"
MiB = 1 << 20


def _gpg_children() -> list[int]:
    """Live gpg processes started by this test process (any thread)."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in children:
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "gpg":
                    found.append(int(pid))
            except OSError:
                pass
    return found


def _chunks(total: int):
    """``total`` bytes of a PDF-looking file, made block by block (never all at once)."""
    block = bytearray(os.urandom(MiB))
    sent = 0
    while sent < total:
        block[-8:] = sent.to_bytes(8, "big")  # no two blocks alike
        data = bytes(block[: min(MiB, total - sent)])
        yield PDF_HEAD + data[len(PDF_HEAD):] if sent == 0 else data
        sent += len(data)


def _decrypted_sha256(bid_key, paths: list[Path]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for path in paths:
        proc = subprocess.Popen(["gpg", "--homedir", str(bid_key["home"]), "--batch", "--quiet", "--decrypt",
                                 str(path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        while chunk := proc.stdout.read(MiB):
            digest.update(chunk)
            size += len(chunk)
        proc.stdout.close()
        assert proc.wait() == 0
    return digest.hexdigest(), size


def test_a_200_mb_file_streams_and_is_sealed_with_flat_memory(live_server, supplier_client, make_tender, bid_key):
    total = 200 * MiB
    tender = make_tender()
    supplier_client.get(f"/supplier/bid-upload/{tender.tender_id}/")
    csrf = supplier_client.cookies["csrftoken"].value
    fields = {"csrfmiddlewaretoken": csrf, "lot": "1", "price": "4321.00", "confirm": "on"}
    head = b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                    for k, v in fields.items())
    head += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"large.pdf\"\r\n"
             "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    url = urlparse(live_server.url)
    cookies = "; ".join(f"{k}={v.value}" for k, v in supplier_client.cookies.items())
    sent = hashlib.sha256()
    tracemalloc.start()
    try:
        with socket.create_connection((url.hostname, url.port), timeout=300) as sock:
            sock.sendall((f"POST /supplier/bid-upload/{tender.tender_id}/ HTTP/1.1\r\nHost: {url.hostname}\r\n"
                          f"Cookie: {cookies}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                          f"Content-Length: {len(head) + total + len(tail)}\r\nConnection: close\r\n\r\n").encode()
                         + head)
            for chunk in _chunks(total):
                sent.update(chunk)
                sock.sendall(chunk)
            sock.sendall(tail)
            response = b""
            while data := sock.recv(65536):
                response += data
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert b" 302 " in response.split(b"\r\n", 1)[0], response[:500]
    # Client and server run in this process: the peak of everything Python allocated while 200 MB went
    # through is a few upload chunks, not the file.
    assert peak < 24 * MiB, f"peak Python memory {peak / MiB:.1f} MiB while streaming 200 MiB"
    version = Bid.objects.get(tender=tender).current()
    entry = version.receipt["files"][0]
    assert (entry["size"], entry["sha256"]) == (total, sent.hexdigest())
    sealed = version.files.get(index=1)
    assert len(sealed.parts) == -(-total // (4 * MiB))  # bounded parts for the exchange
    paths = [bid_store() / version.store / p["path"] for p in sealed.parts]
    assert _decrypted_sha256(bid_key, paths) == (sent.hexdigest(), total)
    assert _gpg_children() == []


def test_a_refused_second_file_stops_the_encryption_and_keeps_nothing(supplier_client, make_tender, settings):
    settings.JINCAI_PROCUREMENT_PART_BYTES = 64 * 1024
    tender = make_tender()
    response = bid_post(supplier_client, tender, [("ok.pdf", pdf_bytes("first-sealed", 300_000)),
                                                  ("run.exe", b"MZ\x90\x00\x03" + b"\x00" * 20_000)])
    assert response.status_code == 400
    assert stored_nothing(tender)
    assert _gpg_children() == []
    staging = bid_store() / ".staging"
    assert not staging.exists() or not any(staging.rglob("*"))
