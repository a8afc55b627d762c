"""The in-process signature verifier (Sequoia through pysequoia), signing many manifests over one
gpg-agent connection, and the receiver's private copy kept in memory or on disk."""

from __future__ import annotations

import pytest
from django.test import override_settings

from exchange import sigpacket
from exchange.agentsign import AgentSigner, BatchSigner
from exchange.gpg import GnuPG
from exchange.models import InboxPackage, Quarantine, ReceivedRecord
from exchange.services import inbox
from tests.exchange.conftest import PDF, item, submission_body

MANIFEST = b'{"channel":"to-extranet","seq":1}' * 20


def test_a_gnupg_signature_verifies_in_process_and_a_tampered_one_does_not(keyhomes):
    signer, receiver = keyhomes["intranet"], keyhomes["extranet"].gpg
    signature = signer.gpg.sign_detached(MANIFEST, signer.fingerprint)

    good = receiver.verify_pinned(signature, MANIFEST, {signer.fingerprint})
    assert good.valid and good.fingerprint == good.signing_fingerprint == signer.fingerprint
    assert good.status == []  # Sequoia decided; no gpg process was asked

    changed = bytearray(MANIFEST)
    changed[10] ^= 0x01
    bad = receiver.verify_pinned(signature, bytes(changed), {signer.fingerprint})
    assert not bad.valid and "BADSIG" in bad.problem

    flipped = bytearray(signature)
    flipped[-5] ^= 0x01
    assert not receiver.verify_pinned(bytes(flipped), MANIFEST, {signer.fingerprint}).valid


def test_only_the_pinned_certificates_can_make_a_signature_valid(keyhomes):
    rogue, receiver = keyhomes["rogue"], keyhomes["extranet"].gpg
    signature = rogue.gpg.sign_detached(MANIFEST, rogue.fingerprint)
    # GnuPG knows the rogue key, so it can say who signed; the caller then refuses the signer.
    result = receiver.verify_pinned(signature, MANIFEST, {keyhomes["intranet"].fingerprint})
    assert result.fingerprint == rogue.fingerprint
    assert result.fingerprint not in {keyhomes["intranet"].fingerprint}
    # A key the keyring does not hold verifies nothing at all.
    stranger = GnuPG(keyhomes["rogue"].home.parent / "stranger-check")
    assert not stranger.verify_pinned(signature, MANIFEST, {rogue.fingerprint}).valid
    stranger.kill_agent()


def test_signatures_made_through_gpg_agent_are_what_gpg_makes(keyhomes):
    home = keyhomes["intranet"]
    gpg = home.gpg
    agent = AgentSigner(gpg, home.fingerprint)
    try:
        signatures = [agent.sign(MANIFEST + bytes([n])) for n in range(3)]
    finally:
        agent.close()
    reference = gpg.sign_detached(MANIFEST, home.fingerprint)
    for n, signature in enumerate(signatures):
        sigpacket.check_structure(signature)
        sigpacket.check_digest_prefix(signature, MANIFEST + bytes([n]))
        checked = keyhomes["extranet"].gpg.verify_detached(signature, MANIFEST + bytes([n]))
        assert checked.valid and checked.fingerprint == home.fingerprint
        # The same packet layout as gpg's own: header, algorithms, hashed subpackets (issuer
        # fingerprint, then creation time), unhashed issuer key ID.
        assert signature[2:33] == reference[2:33]
        # The creation time (bytes 33 to 36) is that of each signature: a second may tick between them.
        assert abs(int.from_bytes(signature[33:37], "big") - int.from_bytes(reference[33:37], "big")) <= 60
        assert signature[37:45] == reference[37:45]
    assert not keyhomes["extranet"].gpg.verify_detached(signatures[0], MANIFEST + b"\x01").valid


def test_a_protected_key_is_signed_by_gpg_itself(tmp_path):
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse battery staple\n")
    protected = GnuPG(tmp_path / "g", passphrase_file=str(secret))
    signer = BatchSigner(protected)
    try:
        fpr = protected.generate_key("Protected", "p@test.invalid")
        signature = signer.sign(b"data", fpr)
        assert protected.verify_detached(signature, b"data").valid
        assert signer._agents == {fpr: None}  # the agent path declined the protected key
    finally:
        signer.close()
        protected.kill_agent()


@pytest.mark.parametrize("in_memory", [True, False])
def test_the_private_copy_in_memory_or_on_disk_holds_applies_and_quarantines_alike(xenv, receiving, in_memory):
    limit = 64 * 1024 * 1024 if in_memory else 0
    with override_settings(JINCAI_EXCHANGE_MEMORY_COPY_BYTES=limit):
        p1, p2, p3 = (receiving.build([item("consultation.submission", submission_body(n), attachments=[PDF])])
                      for n in (1, 2, 3))
        damaged = bytearray(p3.path.read_bytes())
        damaged[damaged.find(PDF) + 100] ^= 0x01
        receiving.deliver(p2)
        (receiving.ferry_dir / p3.file_name).write_bytes(damaged)
        report = xenv.import_all()
        assert report.applied == [] and [r[2] for r in report.rejected] == ["file_hash"]
        held = InboxPackage.objects.get(state=InboxPackage.HELD)
        assert held.seq == 2 and (inbox.inbox_dir("to-intranet") / held.file_name).read_bytes() == p2.path.read_bytes()
        stored = Quarantine.objects.get(code="file_hash").stored_path
        assert stored and open(stored, "rb").read() == bytes(damaged)

        receiving.deliver(p1)
        report = xenv.import_all()
        assert report.applied == [("to-intranet", 1), ("to-intranet", 2)]
        records = ReceivedRecord.objects.order_by("seq")
        assert [r.seq for r in records] == [1, 2]
        assert all(r.attachments[0]["sha256"] == records[0].attachments[0]["sha256"] for r in records)
        assert not list(inbox.inbox_dir("to-intranet").glob("*.jxp"))
        assert not list((inbox.inbox_dir("to-intranet") / ".incoming").glob("*"))
