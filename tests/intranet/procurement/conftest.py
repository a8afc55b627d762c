"""Fixtures for tender management and bid opening on the intranet.

Sealed bids are made here exactly as the extranet makes them (``gpg --recipient-file`` with the
tender's published public key, parts of bounded size, a receipt signed by an extranet key pinned
for the to-intranet channel) and delivered through the registered message handlers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile

PART = 32 * 1024


def pdf_bytes(marker: str, size: int) -> bytes:
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + f"% {marker}\n".encode()
    return (body + (marker.encode() + b"\n") * (size // (len(marker) + 1) + 1))[:size]


def iso(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@pytest.fixture
def role_user(make_user):
    def factory(username, *perms):
        user, password, device = make_user(username, is_staff=True)
        group, _ = Group.objects.get_or_create(name=f"role-{username}")
        group.permissions.set([Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
                               *[Permission.objects.get(content_type__app_label="procurement", codename=p)
                                 for p in perms]])
        user.groups.add(group)
        user = type(user).objects.get(pk=user.pk)  # fresh permission cache
        return user, password, device

    return factory


@pytest.fixture
def manager(role_user):
    return role_user("caigou", "manage_tenders", "review_suppliers")[0]


@pytest.fixture
def opener(role_user):
    return role_user("kaibiao", "open_bids")


@pytest.fixture
def make_draft(db, manager):
    from django.utils import timezone

    from intranet.procurement.models import Criterion, Lot, Tender
    from intranet.procurement.services import publishing

    def factory(method="open", days=21, budget=("700000.00", "300000.00"), security="20000.00", criteria=True,
                document=True):
        now = timezone.now().replace(microsecond=0)
        total = sum(Decimal(b) for b in budget)
        tender = Tender.objects.create(
            reference=f"BJCZ-{os.urandom(4).hex()}", title="运维服务采购", method=method, buyer="市财政局",
            budget=total, bid_security=Decimal(security), clarification_deadline=now + timedelta(days=days - 5),
            bid_deadline=now + timedelta(days=days), opening_at=now + timedelta(days=days), created_by=manager)
        for n, b in enumerate(budget, start=1):
            Lot.objects.create(tender=tender, number=n, title=f"第{n}包", budget=Decimal(b))
        if criteria:
            Criterion.objects.create(tender=tender, name="价格", max_score=Decimal("30"), position=1)
            Criterion.objects.create(tender=tender, name="技术", max_score=Decimal("70"), position=2)
        if document:
            publishing.add_document(tender, "招标文件", ContentFile(pdf_bytes("tender", 2000), name="doc.pdf"), manager)
        return tender

    return factory


@pytest.fixture
def published(make_draft, manager):
    from intranet.procurement.services import publishing

    return publishing.publish(make_draft(), manager)


@pytest.fixture(scope="session")
def extranet_fingerprint(django_db_blocker):
    from exchange.services import keys

    return keys.keyring().generate_key("Jincai exchange (extranet, test)", "exchange-extranet@jincai.invalid")


@pytest.fixture
def extranet_key(db, extranet_fingerprint):
    from exchange.models import TrustedKey

    TrustedKey.objects.create(channel="to-intranet", fingerprint=extranet_fingerprint, label="test extranet")
    return extranet_fingerprint


def apply(message_type: str, body: dict, attachments: list[tuple[str, bytes, str]], tmp: Path, signer: str):
    from django.db import transaction

    from exchange import registry
    from exchange.package import PayloadFile

    files = []
    for n, (name, data, media_type) in enumerate(attachments):
        path = tmp / f"att-{os.urandom(6).hex()}"
        path.write_bytes(data)
        files.append(PayloadFile(f"items/000000/file-{n + 1:02d}", "attachment", media_type, len(data),
                                 hashlib.sha256(data).hexdigest(), name, path, 0))
    mt = registry.check_message(message_type, 1, body, "to-intranet", "internal", len(files))
    with transaction.atomic():  # as the importer applies: inside its transaction
        mt.apply(registry.ApplyContext(channel="to-intranet", package_uuid="00000000-0000-0000-0000-000000000000",
                                       seq=1, signer=signer, item_index=0, is_last_item=True, message_type=message_type,
                                       version=1, classification="internal", ref="", body=body, attachments=files,
                                       trusted=False))


@dataclass
class Sealer:
    """Makes sealed bids the way the extranet does and delivers them to the intranet's handlers."""

    tender: object
    tmp: Path
    signer: str
    home: Path = field(init=False)

    def __post_init__(self):
        self.home = self.tmp / f"gnupg-{os.urandom(3).hex()}"
        self.home.mkdir(mode=0o700)
        self.key = self.tmp / "tender.asc"
        self.key.write_text(self.tender.public_key)

    def encrypt(self, data: bytes) -> bytes:
        return subprocess.run(["gpg", "--homedir", str(self.home), "--batch", "--no-keyring", "--trust-model", "always",
                               "--compress-algo", "none", "--recipient-file", str(self.key), "--encrypt"],
                              input=data, capture_output=True, check=True).stdout

    def _sealed(self, index, name, data):
        parts = [self.encrypt(data[i:i + PART]) for i in range(0, max(len(data), 1), PART)]
        return {"index": index, "name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "media_type": "application/pdf" if index else "application/json", "parts": len(parts)}, parts

    def bid(self, company="甲公司", uscc="91350100M000100Y43", price="500000.00", files=None, lot=1, bid_id=None,
            version=1, submitted_at=None, tamper=None):
        from django.utils import timezone

        from exchange import canonical
        from exchange.services import keys

        bid_id = bid_id or secrets.token_hex(16)
        files = files or {"投标文件.pdf": pdf_bytes(f"bid-{bid_id}", 70_000)}
        sealed, blobs = [], []
        for n, (name, data) in enumerate(files.items(), start=1):
            entry, parts = self._sealed(n, name, data)
            sealed.append(entry)
            blobs.append((n, parts))
        form_data = json.dumps({"tender_id": self.tender.tender_id, "lot": lot, "supplier_uscc": uscc,
                                "price": price, "nonce": secrets.token_hex(8)}).encode()
        form, form_parts = self._sealed(0, "bid-form.json", form_data)
        blobs.insert(0, (0, form_parts))
        if tamper == "flip":  # a byte of a stored ciphertext part changed
            n, parts = blobs[1]
            parts[0] = parts[0][:-40] + bytes([parts[0][-40] ^ 0x01]) + parts[0][-39:]
        if tamper == "swap":  # a validly encrypted file that is not the one in the receipt
            n, parts = blobs[1]
            del parts[1:]
            parts[0] = self.encrypt(b"%PDF-1.4 something else entirely")
            sealed[0]["parts"] = 1
        at = submitted_at or timezone.now()
        receipt = {"tender_id": self.tender.tender_id, "bid_id": bid_id, "bid_version": version, "lot": lot,
                   "received_at": iso(at), "bid_form_sha256": form["sha256"], "sealed_to": self.tender.key_fingerprint,
                   "files": [{"name": f["name"], "size": f["size"], "sha256": f["sha256"]} for f in sealed]}
        if tamper == "swap":
            receipt["files"][0]["sha256"] = hashlib.sha256(files[next(iter(files))]).hexdigest()
            sealed[0]["sha256"] = receipt["files"][0]["sha256"]
        signature = base64.b64encode(keys.keyring().sign_detached(canonical.dumps(receipt), self.signer)).decode()
        flat = [(i, k, p) for i, parts in blobs for k, p in enumerate(parts)]
        for start in range(0, len(flat), 8):
            chunk = flat[start:start + 8]
            apply("procurement.bid.parts", {"bid_id": bid_id, "version": version, "tender_id": self.tender.tender_id,
                                            "parts": [{"file": i, "part": k, "size": len(p)} for i, k, p in chunk]},
                  [(f"p{i}-{k}.pgp", p, "application/pgp-encrypted") for i, k, p in chunk], self.tmp, self.signer)
        apply("procurement.bid.sealed", {
            "bid_id": bid_id, "version": version, "tender_id": self.tender.tender_id, "lot": lot,
            "supplier": {"supplier_id": secrets.token_hex(16), "company_name": company, "uscc": uscc},
            "submitted_at": iso(at), "key_fingerprint": self.tender.key_fingerprint, "form": form, "files": sealed,
            "receipt": receipt, "receipt_signature": signature}, [], self.tmp, self.signer)
        return bid_id

    def withdraw(self, bid_id, version=1):
        from django.utils import timezone

        apply("procurement.bid.withdraw", {"bid_id": bid_id, "version": version, "tender_id": self.tender.tender_id,
                                           "withdrawn_at": iso(timezone.now())}, [], self.tmp, self.signer)

    def close(self, bids: list[tuple[str, int]], withdrawn=0):
        from django.utils import timezone

        apply("procurement.bid.closing", {
            "tender_id": self.tender.tender_id, "bid_deadline": iso(self.tender.bid_deadline),
            "closed_at": iso(timezone.now()), "bids": [{"bid_id": b, "version": v} for b, v in bids],
            "withdrawn": withdrawn}, [], self.tmp, self.signer)


@pytest.fixture
def sealer(published, tmp_path, extranet_key):
    return Sealer(published, tmp_path, extranet_key)
