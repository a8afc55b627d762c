"""Guarantee 8, key rotation: a new key is accepted only when announced by the old one."""

from __future__ import annotations

import pytest
from django.test import override_settings

from exchange.models import LocalKey, ReceivedRecord, TrustedKey
from exchange.services import keys, outbox
from tests.exchange.conftest import item, policy_body


def test_rotation_announced_by_the_old_key_is_followed(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    old = xenv.keys["intranet"].fingerprint
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(1))
    outbox.export_channel("to-extranet")
    new, created = keys.keygen(rotate=True)
    assert created and new != old and LocalKey.objects.get(active=True).fingerprint == new
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(2))
    rotation, after = outbox.export_channel("to-extranet")
    assert (rotation.seq, rotation.signer, after.seq, after.signer) == (2, old, 3, new)

    xenv.settings.JINCAI_SIDE = "extranet"  # receive (keeping the intranet's rotated key state)
    xenv.settings.JINCAI_EXCHANGE_GNUPG_HOME = str(xenv.root / "g-extranet")
    xenv.settings.JINCAI_EXCHANGE_STATE_DIR = str(xenv.root / "state-extranet")
    report = xenv.import_all()
    assert report.ok and [seq for _, seq in report.applied] == [1, 2, 3]
    pins = {k.fingerprint: (k.valid_from_seq, k.valid_until_seq) for k in TrustedKey.objects.filter(channel="to-extranet")}
    assert pins == {old: (1, 2), new: (3, None)}
    assert sorted(ReceivedRecord.objects.values_list("key", flat=True)) == ["oa:1", "oa:2"]

    # The old key may no longer sign new sequence numbers.
    stale = xenv.sender("intranet", "to-extranet")
    stale.send(seq=4, prev=after.manifest_sha256)
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["key_retired"]
    assert xenv.status("to-extranet")["last_applied_seq"] == 3


def test_rotation_not_signed_by_the_old_key_is_rejected(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    rogue = xenv.keys["rogue"]
    announce = {"old_fingerprint": xenv.keys["intranet"].fingerprint, "new_fingerprint": rogue.fingerprint,
                "public_key": rogue.public}
    sender = xenv.sender("intranet", "to-extranet")
    sender.send([item("exchange.key_rotation", announce)], signer=rogue)
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["untrusted_signer"]
    # ... and so the rogue key still signs nothing that is accepted.
    sender.send(seq=1, advance=False, signer=rogue)
    assert [r[2] for r in xenv.import_all().rejected] == ["untrusted_signer"]
    assert not TrustedKey.objects.filter(fingerprint=rogue.fingerprint).exists()


def test_rotation_whose_key_does_not_match_the_announced_fingerprint_is_rejected(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    announce = {"old_fingerprint": xenv.keys["intranet"].fingerprint,
                "new_fingerprint": xenv.keys["rogue"].fingerprint, "public_key": xenv.keys["province"].public}
    xenv.sender("intranet", "to-extranet").send([item("exchange.key_rotation", announce)])
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["key_rotation"]
    assert TrustedKey.objects.filter(channel="to-extranet").count() == 1


def test_trust_refuses_anything_but_exactly_one_public_key(xenv):
    from exchange.errors import ExchangeError

    with pytest.raises(ExchangeError):
        keys.trust(xenv.keys["extranet"].public + xenv.keys["rogue"].public, ["to-intranet"])
    with pytest.raises(ExchangeError):
        keys.trust(xenv.keys["extranet"].public, ["to-intranet"], expected=xenv.keys["rogue"].fingerprint)
    with pytest.raises(ExchangeError):
        keys.trust(xenv.keys["extranet"].public, ["to-extranet"])  # not an inbound channel of the intranet
    assert not TrustedKey.objects.exists()


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_the_old_key_is_retired_even_for_packages_verified_before_the_rotation_applied(xenv, mode):
    """Packages are verified ahead of the apply, against the keys pinned when the import began: a
    package the old key signed after its rotation, in the same import, is still refused."""
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    old, new = xenv.keys["intranet"], xenv.keys["rogue"]
    sender = xenv.sender("intranet", "to-extranet")
    sender.send()
    announce = {"old_fingerprint": old.fingerprint, "new_fingerprint": new.fingerprint, "public_key": new.public}
    rotation = sender.send([item("exchange.key_rotation", announce)])
    stolen = sender.send()  # seq 3, still signed by the old key: what a thief of the old key would send
    with override_settings(JINCAI_EXCHANGE_VERIFY_PROCESSES=2 if mode == "processes" else 0,
                           JINCAI_EXCHANGE_VERIFY_PROCESS_MIN=1):
        report = xenv.import_all()
    assert [seq for _, seq in report.applied] == [1, 2]
    assert [(r[1], r[2]) for r in report.rejected] == [(stolen.file_name, "key_retired")]
    assert xenv.status("to-extranet")["last_applied_seq"] == 2
    assert ReceivedRecord.objects.count() == 1
    # The new key's package with that number applies.
    sender.send(signer=new, seq=3, prev=rotation.manifest_sha256)
    report = xenv.import_all()
    assert report.ok and report.applied == [("to-extranet", 3)]
