"""Fixtures for the supplier side: a tender as the intranet publishes it, an approved supplier.

The tender's bid-opening key pair is made here the way the intranet makes it; its secret key stays
in this test's own GnuPG home (never under the extranet's data dir), so tests can check that what
the extranet stored decrypts to exactly what was uploaded.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import gnupg
import pytest

PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"


def pdf_bytes(marker: str, size: int) -> bytes:
    body = PDF_HEAD + f"% {marker}\n".encode()
    filler = (marker.encode() + b"\n") * (size // (len(marker) + 1) + 1)
    return (body + filler)[:size]


@pytest.fixture
def own_bid_store(settings, tmp_path):
    """Each test its own bid store: parallel workers must not see each other's uploads in flight."""
    settings.JINCAI_PROCUREMENT_ROOT = str(tmp_path / "procurement")


@pytest.fixture(scope="session")
def bid_key(tmp_path_factory):
    home = tmp_path_factory.mktemp("intranet-bid-key")
    home.chmod(0o700)
    gpg = gnupg.GPG(gnupghome=str(home))
    result = gpg.gen_key(gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", key_usage="sign",
                                           subkey_type="ECDH", subkey_curve="cv25519", subkey_usage="encrypt",
                                           name_real="test tender", name_email="t@jincai.invalid", expire_date="0",
                                           no_protection=True))
    return {"home": home, "fingerprint": result.fingerprint.upper(),
            "public": gpg.export_keys(result.fingerprint, armor=True)}


def decrypt(bid_key, path: Path) -> bytes:
    proc = subprocess.run(["gpg", "--homedir", str(bid_key["home"]), "--batch", "--quiet", "--decrypt", str(path)],
                          capture_output=True, check=True)
    return proc.stdout


@pytest.fixture(scope="session")
def portal_fingerprint(django_db_blocker):
    from exchange.services import keys

    return keys.keyring().generate_key("Jincai exchange (extranet test)", "exchange-extranet@jincai.invalid")


@pytest.fixture
def portal_key(db, portal_fingerprint):
    from exchange.models import LocalKey

    LocalKey.objects.create(fingerprint=portal_fingerprint, active=True)
    return portal_fingerprint


def apply(message_type: str, body: dict, attachments=(), tmp_path: Path | None = None):
    """Apply a message as the exchange importer would, with real files as attachments."""
    from django.db import transaction

    from exchange import registry
    from exchange.package import PayloadFile

    files = []
    for n, (name, data, media_type) in enumerate(attachments):
        path = tmp_path / f"att-{n}-{os.urandom(4).hex()}"
        path.write_bytes(data)
        files.append(PayloadFile(f"items/000000/file-{n + 1:02d}", "attachment", media_type, len(data),
                                 hashlib.sha256(data).hexdigest(), name, path, 0))
    mt = registry.check_message(message_type, 1, body, "to-extranet", "public", len(files))
    with transaction.atomic():  # as the importer applies: inside its transaction
        mt.apply(registry.ApplyContext(channel="to-extranet", package_uuid="00000000-0000-0000-0000-000000000000",
                                       seq=1, signer="0" * 40, item_index=0, is_last_item=True,
                                       message_type=message_type, version=1, classification="public", ref="",
                                       body=registry.sanitized(mt, body), attachments=files, trusted=True))


def iso(value) -> str:
    from datetime import UTC

    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.fixture
def make_tender(db, bid_key, tmp_path):
    from django.utils import timezone

    from extranet.procurement.models import Tender

    def factory(tender_id=None, deadline=None, lots=((1, "软件运维", "700000.00"), (2, "硬件维保", "300000.00"))):
        tender_id = tender_id or f"T{os.urandom(5).hex().upper()}"
        now = timezone.now().replace(microsecond=0)
        deadline = deadline or now + timedelta(days=20)
        body = {
            "tender_id": tender_id, "revision": 1, "reference": f"BJCZ-{tender_id}", "title": "运维服务采购",
            "method": "open", "buyer": "市财政局", "description": "测试", "budget": "1000000.00", "currency": "CNY",
            "bid_security": "20000.00",
            "lots": [{"number": n, "title": t, "budget": b} for n, t, b in lots],
            "published_at": iso(now - timedelta(days=1)), "clarification_deadline": iso(deadline - timedelta(days=5)),
            "bid_deadline": iso(deadline), "opening_at": iso(deadline), "bid_key": {
                "fingerprint": bid_key["fingerprint"], "public_key": bid_key["public"]},
            "documents": [{"title": "招标文件"}], "disclosure": "public",
        }
        apply("procurement.tender.publish", body, [("招标文件.pdf", pdf_bytes("tender-doc", 3000),
                                                    "application/pdf")], tmp_path)
        return Tender.objects.get(tender_id=tender_id)

    return factory


@pytest.fixture
def make_supplier(db, make_user):
    from django.utils import timezone

    from extranet.procurement.models import Supplier

    def factory(username="acme", uscc="91350100M000100Y43", status="approved", email="bids@acme.invalid"):
        user, password, device = make_user(username)
        supplier = Supplier.objects.create(user=user, company_name=f"{username} 有限公司", uscc=uscc,
                                           legal_representative="李四", address="宝鸡市",
                                           contacts=[{"name": "李四", "email": email}], status=status,
                                           submitted_at=timezone.now())
        return supplier, password, device

    return factory


@pytest.fixture
def supplier_client(client, make_supplier, otp_login, portal_key):
    supplier, password, device = make_supplier()
    otp_login(client, supplier.user.username, password, device, "/supplier/")
    client.supplier = supplier
    return client


def bid_post(client, tender, files, *, price="123456.78", lot=1, confirm=True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"lot": str(lot), "price": price, "files": [SimpleUploadedFile(n, c) for n, c in files]}
    if confirm:
        data["confirm"] = "on"
    return client.post(f"/supplier/bid-upload/{tender.tender_id}/", data)


def stored_nothing(tender) -> bool:
    """No bid row and no ciphertext left behind by a refused or broken upload."""
    from extranet.procurement.models import Bid, BidVersion
    from extranet.procurement.sealing import bid_store

    staging = bid_store() / ".staging"
    leftovers = [p for p in staging.iterdir()] if staging.exists() else []
    in_tender = list((bid_store() / tender.tender_id).rglob("*.pgp")) if (bid_store() / tender.tender_id).exists() \
        else []
    return not Bid.objects.filter(tender=tender, version__gt=0).exists() and not BidVersion.objects.filter(
        bid__tender=tender).exists() and not leftovers and not in_tender

