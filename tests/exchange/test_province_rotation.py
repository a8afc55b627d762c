"""Key rotation with the (simulated) provincial bureau, both ways, through the city's real importer
and the simulator's receiver: a new key counts only when announced in a package signed by the old one."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import UTC, datetime, timedelta

import pytest

from exchange.models import ReceivedRecord, TrustedKey
from exchange.package import build_package
from exchange.province_sim import Province
from exchange.services import keys, outbox
from tests.exchange.conftest import PDF, item


@pytest.fixture
def province(xenv, tmp_path):
    """The intranet (city) and a freshly keyed province, each trusting the other."""
    sim = Province(xenv.root / "province", ferry_root=xenv.root / "ferry")
    fpr = sim.init()
    city_key = tmp_path / "city.asc"
    city_key.write_text(xenv.keys["intranet"].public)
    sim.trust(city_key)
    keys.trust(sim.public_key_path.read_text(), ["from-province"], label="province")
    yield sim, fpr
    sim.gpg.kill_agent()


def documents():
    return sorted(ReceivedRecord.objects.filter(channel="from-province", message_type="oa.official_document")
                  .values_list("payload__title", flat=True))


def test_the_province_rotates_its_key_and_the_city_follows(xenv, province, tmp_path):
    sim, old = province
    pdf = tmp_path / "通知.pdf"
    pdf.write_bytes(PDF)
    sim.send([pdf], "第一号")
    new = sim.rotate()
    sim.send([pdf], "第二号")
    assert new != old and sim.load()["fingerprint"] == new

    report = xenv.import_all()
    assert report.ok and [seq for _, seq in report.applied] == [1, 2, 3]
    pins = {k.fingerprint: (k.valid_from_seq, k.valid_until_seq) for k in TrustedKey.objects.filter(
        channel="from-province")}
    assert pins == {old: (1, 2), new: (3, None)}
    assert documents() == ["第一号", "第二号"]
    # What the city sends the province from now on is encrypted to the new key.
    assert keys.recipients("to-province") == [new]

    # A package still signed by the retired key is refused, whatever it carries.
    state = sim.load()
    now = datetime.now(UTC).replace(microsecond=0)
    body = {"document_id": "prov:stale", "title": "旧密钥", "doc_number": "", "issuer": "省财政厅",
            "issued_on": "2025-01-02", "body_text": "正文"}
    built = build_package(
        xenv.root / "stale", channel="from-province", sender_fpr=old, sender_name="province", seq=4,
        uuid=str(uuid_lib.uuid4()), prev=state["last_sent_hash"], created=now, expires=now + timedelta(days=1),
        items=[item("oa.official_document", body, classification="internal")], gpg=sim.gpg,
        recipients=[xenv.keys["intranet"].fingerprint], workdir=tmp_path)
    (xenv.ferry("from-province") / built.file_name).write_bytes(built.path.read_bytes())
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["key_retired"]
    assert xenv.status("from-province")["last_applied_seq"] == 3 and documents() == ["第一号", "第二号"]


def test_a_province_key_that_was_never_announced_is_refused(xenv, province, tmp_path):
    sim, old = province
    pdf = tmp_path / "通知.pdf"
    pdf.write_bytes(PDF)
    # The province switches keys without telling the city (no announcement signed by the old key).
    state = sim.load()
    state["fingerprint"] = sim.gpg.generate_key("Impostor", "impostor@province.invalid")
    sim.save(state)
    keys.keyring().import_public(sim.gpg.export_public(state["fingerprint"]))  # GnuPG knows it; no pin does
    sim.send([pdf], "未经通告")
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["untrusted_signer"]
    assert documents() == []


def test_the_city_rotates_its_key_and_the_province_follows(xenv, province):
    sim, _ = province
    city_old = xenv.keys["intranet"].fingerprint
    body = {"document_id": "oa:1", "title": "关于预算执行情况的报告", "doc_number": "宝市财发〔2025〕1号",
            "issuer": "市财政局", "issued_on": "2025-03-01", "body_text": "正文"}
    outbox.enqueue("to-province", "oa.official_document", 1, body, classification="internal")
    outbox.export_channel("to-province")
    city_new, _ = keys.keygen(rotate=True)
    outbox.enqueue("to-province", "oa.official_document", 1, {**body, "document_id": "oa:2"},
                   classification="internal")
    packages = outbox.export_channel("to-province")
    assert [(p.seq, p.signer) for p in packages] == [(2, city_old), (3, city_new)]

    result = sim.receive()
    assert result["received"] == [1, 2, 3] and not result["rejected"]
    state = sim.load()
    assert state["city_fingerprint"] == city_new and state["retired_city_fingerprints"] == [city_old]

    # The old city key may no longer sign for the province.
    now = datetime.now(UTC).replace(microsecond=0)
    built = build_package(
        xenv.root / "stale", channel="to-province", sender_fpr=city_old, sender_name="city", seq=4,
        uuid=str(uuid_lib.uuid4()), prev=state["last_received_hash"], created=now, expires=now + timedelta(days=1),
        items=[item("oa.official_document", {**body, "document_id": "oa:3"}, classification="internal")],
        gpg=keys.keyring(), recipients=[state["fingerprint"]], workdir=xenv.root)
    (xenv.ferry("to-province") / built.file_name).write_bytes(built.path.read_bytes())
    result = sim.receive()
    assert result["received"] == [] and [r["code"] for r in result["rejected"]] == ["untrusted_signer"]
    assert sim.load()["last_received_seq"] == 3
