"""A large import verifies in worker processes (the package bytes through shared memory): the
outcomes must be exactly those of the worker threads, whatever is wrong with the packages."""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from exchange import ferry, registry
from exchange.errors import PackageRejected
from exchange.models import InboxPackage, Quarantine, ReceivedRecord
from exchange.services import inbox, verifying
from tests.exchange.conftest import PDF, item, submission_body

PROCESSES = {"JINCAI_EXCHANGE_VERIFY_PROCESSES": 2, "JINCAI_EXCHANGE_VERIFY_PROCESS_MIN": 1}
THREADS = {"JINCAI_EXCHANGE_VERIFY_PROCESSES": 0}


def _submissions(receiving, first: int, count: int):
    return [receiving.build([item("consultation.submission", submission_body(n), attachments=[PDF])])
            for n in range(first, first + count)]


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_a_batch_with_a_flipped_byte_and_a_foreign_signature_applies_quarantines_and_holds_alike(
        xenv, receiving, mode):
    with override_settings(**(PROCESSES if mode == "processes" else THREADS)):
        packages = _submissions(receiving, 1, 6)
        for p in packages[:3] + packages[4:]:
            receiving.deliver(p)
        damaged = bytearray(packages[3].path.read_bytes())
        damaged[damaged.find(PDF) + 100] ^= 0x01
        (receiving.ferry_dir / packages[3].file_name).write_bytes(damaged)
        assert verifying.Verifier("to-intranet", 6).in_processes is (mode == "processes")

        report = xenv.import_all()

        assert report.applied == [("to-intranet", n) for n in (1, 2, 3)]
        assert [(r[1], r[2]) for r in report.rejected] == [(packages[3].file_name, "file_hash")]
        assert sorted(InboxPackage.objects.filter(state=InboxPackage.HELD).values_list("seq", flat=True)) == [5, 6]
        stored = Quarantine.objects.get(code="file_hash").stored_path
        assert open(stored, "rb").read() == bytes(damaged)  # the bytes that were verified, kept as evidence
        for held in (5, 6):  # the held copies are the packages as delivered
            row = InboxPackage.objects.get(seq=held)
            assert (inbox.inbox_dir("to-intranet") / row.file_name).read_bytes() == packages[held - 1].path.read_bytes()

        rogue = receiving.build([item("consultation.submission", submission_body(4))], seq=4,
                                prev=packages[2].manifest_sha256, signer=xenv.keys["rogue"], advance=False)
        receiving.deliver(rogue)
        assert [r[2] for r in xenv.import_all().rejected] == ["untrusted_signer"]

        receiving.deliver(packages[3])  # a valid copy (resent): everything applies, in order
        report = xenv.import_all()
        assert report.applied == [("to-intranet", n) for n in (4, 5, 6)] and report.ok
        assert list(ReceivedRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert xenv.status("to-intranet")["last_applied_seq"] == 6


def _die_in_a_worker(item):
    if os.getpid() != int(os.environ["JINCAI_TEST_PARENT_PID"]):
        os._exit(1)  # a verify process killed in the middle of a package


def test_a_verify_process_that_dies_costs_nothing_but_time(xenv, receiving, monkeypatch):
    monkeypatch.setenv("JINCAI_TEST_PARENT_PID", str(os.getpid()))
    mt = registry.get("consultation.submission", 1)
    monkeypatch.setattr(mt.apply, "prepare", _die_in_a_worker, raising=False)
    with override_settings(**PROCESSES):
        for p in _submissions(receiving, 1, 4):
            receiving.deliver(p)
        report = xenv.import_all()
    assert report.applied == [("to-intranet", n) for n in (1, 2, 3, 4)] and report.ok
    assert ReceivedRecord.objects.count() == 4


@pytest.mark.parametrize("change", [b"extra bytes", None])
def test_a_ferry_file_that_changed_after_it_was_listed_is_refused(tmp_path, change):
    path = tmp_path / "to-intranet-0000000001-00000000-0000-4000-8000-000000000000.jxp"
    path.write_bytes(b"x" * 4096)
    (entry,) = ferry.scan(tmp_path)
    with path.open("ab" if change else "r+b") as f:
        if change:
            f.write(change)
        else:
            f.truncate(100)
    buffer = bytearray(entry.size + 1)
    with pytest.raises(PackageRejected) as refused:
        ferry.read_into(entry, memoryview(buffer), 1 << 20)
    assert refused.value.code == "size"
