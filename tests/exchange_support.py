"""Exchange test support shared by every suite that needs real keys and a private exchange
state: the exchange's own tests and the apps that send or receive through it (the OA).

Fixtures defined here are made available to a suite by importing them into its conftest.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid as uuid_lib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange import canonical, ferry
from exchange.channels import CHANNELS
from exchange.gpg import GnuPG
from exchange.manifest import ZERO_HASH
from exchange.package import OutFile, OutItem, build_package

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 2000 + b"\n%%EOF\n"


@dataclass
class KeyHome:
    name: str
    home: Path
    fingerprint: str
    public: str

    @property
    def gpg(self) -> GnuPG:
        return GnuPG(self.home)


@pytest.fixture(scope="session")
def keyhomes():
    """One Ed25519 key per party, generated once: the two sides, the province and an attacker."""
    root = Path(tempfile.mkdtemp(prefix="jcx-", dir="/tmp"))
    homes = {}
    for name in ("intranet", "extranet", "province", "rogue"):
        gpg = GnuPG(root / name)
        fpr = gpg.generate_key(f"Test {name}", f"{name}@test.invalid")
        homes[name] = KeyHome(name, root / name, fpr, gpg.export_public(fpr))
    # Every keyring holds every public key: whether a signer counts is decided by the pins alone.
    for home in homes.values():
        for other in homes.values():
            if other is not home:
                home.gpg.import_public(other.public)
    yield homes
    for home in homes.values():
        home.gpg.kill_agent()
    shutil.rmtree(root, ignore_errors=True)


def policy_body(n: int = 1, **extra) -> dict:
    body = {"document_id": f"oa:{n}", "revision": 1, "title": f"政策文件 {n}", "doc_number": f"宝市财发〔2025〕{n}号",
            "issuer": "市财政局", "issued_on": "2025-01-02", "body_html": f"<p>第{n}号文件正文</p>",
            "disclosure": "public"}
    body.update(extra)
    return body


def submission_body(n: int = 1, **extra) -> dict:
    body = {"submission_id": f"sub:{n}", "kind": "question", "subject": f"咨询 {n}", "text": "请问如何申请？",
            "submitted_at": "2025-01-02T10:00:00+08:00"}
    body.update(extra)
    return body


def item(message_type: str, body: dict, *, attachments=(), classification="public", version=1, index=0,
         media_type="application/pdf") -> OutItem:
    base = f"items/{index:06d}"
    files = [OutFile(f"{base}/message.json", "message", "application/json", data=canonical.dumps(body))]
    for n, data in enumerate(attachments, start=1):
        if isinstance(data, tuple):
            data, mt = data
        else:
            mt = media_type
        files.append(OutFile(f"{base}/file-{n:02d}", "attachment", mt, data=data, name=f"附件{n}.pdf"))
    return OutItem(message_type, version, classification, files)


class Sender:
    """Builds packages with the format library, as the other side (or an attacker) would."""

    def __init__(self, key: KeyHome, channel: str, ferry_dir: Path, out_dir: Path, recipients=None):
        self.key, self.channel, self.ferry_dir, self.out_dir = key, channel, ferry_dir, out_dir
        self.seq, self.prev, self.recipients = 0, ZERO_HASH, recipients
        self.gpg = key.gpg

    def default_items(self, n: int):
        if self.channel == "to-intranet":
            return [item("consultation.submission", submission_body(n))]
        if self.channel in ("to-province", "from-province"):
            body = {"document_id": f"prov:{n}", "title": "通知", "doc_number": "", "issuer": "省财政厅",
                    "issued_on": "2025-01-02", "body_text": "正文"}
            return [item("oa.official_document", body, classification="internal", attachments=[PDF])]
        return [item("portal.policy.publish", policy_body(n), attachments=[PDF])]

    def build(self, items=None, *, seq=None, prev=None, created=None, expires=None, uuid=None, channel=None,
              signer: KeyHome | None = None, sender_fpr=None, advance=True):
        seq = seq if seq is not None else self.seq + 1
        created = created or datetime.now(UTC).replace(microsecond=0)
        expires = expires or created + timedelta(days=7)
        signer = signer or self.key
        work = Path(tempfile.mkdtemp(dir=self.out_dir))
        built = build_package(
            self.out_dir, channel=channel or self.channel, sender_fpr=sender_fpr or signer.fingerprint,
            sender_name="test", seq=seq, uuid=uuid or str(uuid_lib.uuid4()),
            prev=self.prev if prev is None else prev, created=created, expires=expires,
            items=items if items is not None else self.default_items(seq), gpg=signer.gpg,
            recipients=self.recipients, workdir=work)
        if advance:
            self.seq, self.prev = seq, built.manifest_sha256
        return built

    def deliver(self, built, name: str | None = None) -> Path:
        return ferry.write_atomic(self.ferry_dir, name or built.file_name, built.path)

    def send(self, items=None, **kwargs):
        built = self.build(items, **kwargs)
        self.deliver(built)
        return built


class ExchangeEnv:
    def __init__(self, settings, root: Path, keyhomes: dict[str, KeyHome]):
        self.settings, self.root, self.keys = settings, root, keyhomes
        settings.JINCAI_EXCHANGE_FERRY_DIRS = {c: str(root / "ferry" / c) for c in CHANNELS}
        settings.MEDIA_ROOT = str(root / "media")
        self.homes: list[Path] = []
        self.side = None

    def become(self, side: str) -> ExchangeEnv:
        """Act as ``side``: its key, its GnuPG home and its private state directory."""
        from exchange.models import LocalKey

        home = self.root / f"g-{side}"
        if not home.exists():
            shutil.copytree(self.keys[side].home, home, ignore=shutil.ignore_patterns("S.*", "*.lock", "tmp"))
            self.homes.append(home)
        self.settings.JINCAI_SIDE = side
        self.settings.JINCAI_EXCHANGE_GNUPG_HOME = str(home)
        self.settings.JINCAI_EXCHANGE_STATE_DIR = str(self.root / f"state-{side}")
        LocalKey.objects.update(active=False)
        LocalKey.objects.update_or_create(fingerprint=self.keys[side].fingerprint, defaults={"active": True})
        self.side = side
        return self

    def ferry(self, channel: str) -> Path:
        path = self.root / "ferry" / channel
        path.mkdir(parents=True, exist_ok=True)
        return path

    def trust(self, who: str, channel: str) -> str:
        from exchange.services import keys

        return keys.trust(self.keys[who].public, [channel], label=who)

    def sender(self, who: str, channel: str, recipients=None) -> Sender:
        out = self.root / f"out-{who}-{channel}"
        out.mkdir(parents=True, exist_ok=True)
        return Sender(self.keys[who], channel, self.ferry(channel), out, recipients)

    def import_all(self):
        from exchange.services import inbox

        return inbox.import_all()

    def status(self, channel: str) -> dict:
        from exchange.services.status import status

        return status()["channels"][channel]

    def close(self):
        for home in self.homes:
            GnuPG(home).kill_agent()


@pytest.fixture
def xenv(settings, db, keyhomes):
    root = Path(tempfile.mkdtemp(prefix="jx-", dir="/tmp"))
    env = ExchangeEnv(settings, root, keyhomes)
    env.become("intranet")
    yield env
    env.close()
    shutil.rmtree(root, ignore_errors=True)
