"""The exchange guarantees (DESIGN.md, "The exchange"), each attacked through the real import path.

Every rejection must quarantine the package, apply nothing, and show in ``status`` and the audit log.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from common.audit.models import AuditEvent
from exchange.models import ChannelState, InboxPackage, Quarantine, ReceivedRecord
from exchange.services import outbox
from tests.exchange.conftest import PDF, PNG, item, policy_body, submission_body


def records(channel="to-intranet"):
    return list(ReceivedRecord.objects.filter(channel=channel).order_by("id").values_list("key", flat=True))


def assert_rejected(xenv, report, code, channel="to-intranet", applied_before=0):
    assert [r[2] for r in report.rejected] == [code], report.rejected
    status = xenv.status(channel)
    assert status["quarantined"] >= 1 and status["last_applied_seq"] == applied_before
    event = AuditEvent.objects.filter(action="exchange.reject").order_by("-seq").first()
    assert event.detail["code"] == code and event.detail["channel"] == channel
    assert Quarantine.objects.filter(code=code).exists()


# 1. Authenticity and integrity -------------------------------------------------------------
def test_a_valid_package_is_applied(xenv, receiving):
    receiving.send()
    report = xenv.import_all()
    assert report.ok and report.applied == [("to-intranet", 1)]
    assert records() == ["sub:1"]
    record = ReceivedRecord.objects.get()
    assert record.untrusted  # submissions from the internet side stay untrusted


def test_flipped_byte_in_transit_is_quarantined(xenv, receiving):
    built = receiving.build([item("consultation.submission", submission_body(), attachments=[PDF])])
    data = bytearray(built.path.read_bytes())
    data[data.find(PDF) + 100] ^= 0x01  # one bit of the attachment
    (receiving.ferry_dir / built.file_name).write_bytes(data)
    assert_rejected(xenv, xenv.import_all(), "file_hash")
    assert records() == []


def test_unpinned_signer_is_rejected_even_if_gnupg_trusts_it(xenv, receiving):
    from exchange.services.keys import keyring

    home = keyring().home
    trust = f"{xenv.keys['rogue'].fingerprint}:6:\n"  # ultimate trust in GnuPG's own trust database
    subprocess.run(["gpg", "--homedir", str(home), "--batch", "--import-ownertrust"], input=trust.encode(),
                   check=True, capture_output=True)
    receiving.send(signer=xenv.keys["rogue"])
    assert_rejected(xenv, xenv.import_all(), "untrusted_signer")


def test_key_pinned_for_another_channel_is_rejected(xenv, receiving):
    xenv.trust("province", "from-province")
    receiving.send(signer=xenv.keys["province"])
    assert_rejected(xenv, xenv.import_all(), "untrusted_signer")


def test_package_for_another_channel_is_rejected(xenv, receiving):
    built = receiving.build(channel="to-extranet", items=[item("portal.policy.publish", policy_body())])
    receiving.deliver(built, name=built.file_name.replace("to-extranet", "to-intranet"))
    assert_rejected(xenv, xenv.import_all(), "channel")


# 3. Nothing applied twice -------------------------------------------------------------------
def test_delivering_twice_applies_once_and_records_the_duplicate(xenv, receiving):
    built = receiving.send()
    assert xenv.import_all().applied == [("to-intranet", 1)]
    receiving.deliver(built)  # the same file written again (new mtime)
    report = xenv.import_all()
    assert report.ok and report.duplicates == [("to-intranet", 1)] and report.applied == []
    assert records() == ["sub:1"]
    assert AuditEvent.objects.filter(action="exchange.duplicate").count() == 1


# 4. Order, no replay, no rollback ----------------------------------------------------------
def test_out_of_order_with_a_gap_is_held_then_applied_in_order(xenv, receiving):
    p1, p2, p3, p4 = (receiving.build() for _ in range(4))
    for p in (p4, p1, p3):
        receiving.deliver(p)
    report = xenv.import_all()
    assert report.applied == [("to-intranet", 1)] and report.ok
    status = xenv.status("to-intranet")
    assert status["gaps"] == [[2, 2]] and status["held"] == [3, 4] and status["last_applied_seq"] == 1
    receiving.deliver(p2)
    report = xenv.import_all()
    assert report.applied == [("to-intranet", 2), ("to-intranet", 3), ("to-intranet", 4)]
    assert records() == ["sub:1", "sub:2", "sub:3", "sub:4"]
    assert xenv.status("to-intranet")["gaps"] == []


def test_replay_of_a_different_package_under_an_applied_number_is_rejected(xenv, receiving):
    receiving.send()
    xenv.import_all()
    receiving.send(seq=1, advance=False)  # validly signed, but another package claiming #1
    assert_rejected(xenv, xenv.import_all(), "replay", applied_before=1)
    assert records() == ["sub:1"]


def test_conflicting_package_for_a_held_number_is_rejected(xenv, receiving):
    receiving.build()
    receiving.send()  # #2 held, #1 never delivered
    receiving.send(seq=2, advance=False)
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["conflict"]


def test_broken_chain_is_rejected_at_apply(xenv, receiving):
    receiving.send()
    receiving.send(prev="ab" * 32)
    report = xenv.import_all()
    assert report.applied == [("to-intranet", 1)]
    assert_rejected(xenv, report, "chain", applied_before=1)
    assert InboxPackage.objects.filter(seq=2).count() == 0


# 5. Nothing lost silently -------------------------------------------------------------------
def test_rejected_package_is_a_gap_and_a_resend_fills_it(xenv):
    """The full cycle through the real sender: export, damage in transit, quarantine, resend."""
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    for n in range(1, 4):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(n))
        outbox.export_channel("to-extranet")
    ferry = xenv.ferry("to-extranet")
    first = sorted(ferry.iterdir())[0]
    damaged = bytearray(first.read_bytes())
    damaged[700] ^= 0xFF
    first.write_bytes(damaged)

    xenv.become("extranet")
    report = xenv.import_all()
    assert len(report.rejected) == 1 and report.applied == []
    status = xenv.status("to-extranet")
    assert status["gaps"] == [[1, 1]] and status["held"] == [2, 3] and status["quarantined"] == 1

    xenv.become("intranet")
    written, problems = outbox.resend("to-extranet", 1, 1)
    assert written == 1 and not problems
    xenv.become("extranet")
    report = xenv.import_all()
    assert report.applied == [("to-extranet", 1), ("to-extranet", 2), ("to-extranet", 3)] and report.ok
    status = xenv.status("to-extranet")
    assert status["gaps"] == [] and status["quarantined"] == 0 and status["last_applied_seq"] == 3
    assert records("to-extranet") == ["oa:1", "oa:2", "oa:3"]


def test_garbage_never_crashes_the_importer(xenv, receiving):
    ferry = xenv.ferry("to-intranet")
    for n, junk in enumerate((b"", b"\x00" * 4096, b"PK\x03\x04" * 500, PNG * 30), start=1):
        (ferry / f"to-intranet-{n:010d}-00000000-0000-4000-8000-{n:012d}.jxp").write_bytes(junk)
    report = xenv.import_all()
    assert len(report.rejected) == 4 and not report.applied
    assert xenv.status("to-intranet")["gaps"] == [[1, 4]]


def test_heartbeat_history_that_differs_is_rejected(xenv, receiving):
    receiving.send()
    xenv.import_all()
    history = [{"seq": 1, "uuid": "x" * 36, "manifest_sha256": "0" * 64}]
    body = {"sent_at": timezone.now().isoformat(), "history": history}
    receiving.send([item("exchange.heartbeat", body)])
    assert_rejected(xenv, xenv.import_all(), "chain", applied_before=1)


# 6. Freshness --------------------------------------------------------------------------------
def test_expired_package_is_rejected(xenv, receiving):
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    receiving.send(created=old, expires=old + timedelta(days=14))
    assert_rejected(xenv, xenv.import_all(), "expired")


def test_package_from_the_future_is_rejected(xenv, receiving):
    receiving.send(created=datetime.now(UTC).replace(microsecond=0) + timedelta(days=1))
    assert_rejected(xenv, xenv.import_all(), "not_yet_valid")


def test_missing_heartbeat_raises_the_alarm(xenv, receiving):
    status = xenv.status("to-intranet")
    assert status["heartbeat_alarm"] and status["heartbeat_age_seconds"] is None
    body = {"sent_at": timezone.now().isoformat(), "history": []}
    receiving.send([item("exchange.heartbeat", body)])
    assert xenv.import_all().ok
    assert not xenv.status("to-intranet")["heartbeat_alarm"]
    ChannelState.objects.filter(channel="to-intranet").update(last_heartbeat_at=timezone.now() - timedelta(hours=2))
    status = xenv.status("to-intranet")
    assert status["heartbeat_alarm"] and status["heartbeat_age_seconds"] >= 7200


# 7. No mix-and-match ------------------------------------------------------------------------
def test_a_file_spliced_from_another_package_is_rejected(xenv, receiving, tmp_path):
    import io
    import tarfile

    a = receiving.build([item("consultation.submission", submission_body(1), attachments=[PDF])])
    b = receiving.build([item("consultation.submission", submission_body(2),
                              attachments=[PDF.replace(b"0" * 10, b"1" * 10)])], advance=False)
    with tarfile.open(a.path) as ta, tarfile.open(b.path) as tb:
        spliced = tmp_path / a.file_name
        with tarfile.open(spliced, "w", format=tarfile.USTAR_FORMAT) as out:
            for m in ta.getmembers():
                data = (tb if m.name == "items/000000/file-01" else ta).extractfile(m.name).read()
                info = tarfile.TarInfo(m.name)
                info.size, info.mtime, info.mode, info.uname, info.gname = len(data), 0, 0o644, "", ""
                out.addfile(info, io.BytesIO(data))
    receiving.deliver(type("B", (), {"path": spliced, "file_name": a.file_name}))
    assert_rejected(xenv, xenv.import_all(), "file_hash")


# 9. Content safety ----------------------------------------------------------------------------
@pytest.mark.parametrize("content, declared", [
    (PNG, "application/pdf"),
    (b"<html><script>alert(1)</script></html>", "text/plain"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "application/pdf"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "application/x-executable"),
])
def test_content_must_match_its_declared_type(xenv, receiving, content, declared):
    receiving.send([item("consultation.submission", submission_body(), attachments=[(content, declared)])])
    assert_rejected(xenv, xenv.import_all(), "media_type")


def test_html_is_sanitized_when_applied(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    sender = xenv.sender("intranet", "to-extranet")
    html = '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:evil()">链接</a></p>'
    sender.send([item("portal.policy.publish", policy_body(body_html=html))])
    assert xenv.import_all().ok
    stored = ReceivedRecord.objects.get().payload["body_html"]
    assert "script" not in stored and "onclick" not in stored and "javascript" not in stored and "正文" in stored


def test_message_that_does_not_follow_its_schema_is_rejected(xenv, receiving):
    receiving.send([item("consultation.submission", {"submission_id": "x"})])
    assert_rejected(xenv, xenv.import_all(), "schema")
    receiving.send([item("no.such_type", {"a": 1})], seq=1, advance=False)
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["unknown_type"]


# 10. Classification boundary ------------------------------------------------------------------
def test_non_public_is_refused_at_export(xenv):
    from exchange.errors import MessageRefused
    from exchange.models import OutboundItem

    with pytest.raises(MessageRefused):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(), classification="internal")
    with pytest.raises(MessageRefused):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(disclosure="internal"))
    queued = outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body())
    OutboundItem.objects.filter(pk=queued.pk).update(classification="internal")  # changed behind our back
    assert outbox.export_channel("to-extranet") == []
    queued.refresh_from_db()
    assert queued.status == "refused" and not list(xenv.ferry("to-extranet").iterdir())
    assert AuditEvent.objects.filter(action="exchange.refused").count() == 3


def test_non_public_is_refused_again_at_import(xenv):
    """Even signed by the pinned intranet key, a non-public item never enters the extranet."""
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    sender = xenv.sender("intranet", "to-extranet")
    sender.send([item("portal.policy.publish", policy_body(), classification="internal")])
    assert_rejected(xenv, xenv.import_all(), "classification", channel="to-extranet")
    assert ReceivedRecord.objects.count() == 0


# 11. Audit ------------------------------------------------------------------------------------
def test_export_and_accept_are_audited_with_hashes_and_signer(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(), attachments=[
        outbox.Attachment("附件.pdf", data=PDF)])
    [package] = outbox.export_channel("to-extranet")
    xenv.become("extranet")
    assert xenv.import_all().ok
    export = AuditEvent.objects.get(action="exchange.export").detail
    accept = AuditEvent.objects.get(action="exchange.accept").detail
    for detail in (export, accept):
        assert detail["uuid"] == str(package.uuid) and detail["seq"] == 1 and detail["channel"] == "to-extranet"
        assert detail["manifest_sha256"] == package.manifest_sha256
    assert export["signer"] == accept["signer"] == xenv.keys["intranet"].fingerprint
    assert accept["package_sha256"] == package.package_sha256
