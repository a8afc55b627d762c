"""Received packages are archived once, as received; attachments are read back from there; what
nothing refers to any more is pruned."""

from __future__ import annotations

import hashlib
import os
import time
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from common.audit.models import AuditEvent
from exchange import archive
from exchange.messages.store import attachment_bytes
from exchange.models import ReceivedRecord
from exchange.services import inbox, retention
from tests.exchange.conftest import PDF, PNG, item, submission_body


def _archived_files() -> list[Path]:
    return sorted(p for p in archive.root().rglob("*") if p.is_file()) if archive.root().exists() else []


def test_one_file_per_package_holds_every_attachment(xenv, receiving):
    built = receiving.send([item("consultation.submission", submission_body(1), index=0, attachments=[PDF, (PNG, "image/png")]),
                            item("consultation.submission", submission_body(2), index=1, attachments=[PDF + b"2"])])
    assert xenv.import_all().ok
    package_sha256 = hashlib.sha256(built.path.read_bytes()).hexdigest()
    assert _archived_files() == [archive.path_for(package_sha256)]
    # The archived file is the package as signed: it still verifies, long after the apply.
    assert inbox.verify_file(archive.path_for(package_sha256), "to-intranet").manifest_sha256 == built.manifest_sha256
    first, second = (r.attachments for r in ReceivedRecord.objects.order_by("item_index"))
    assert [attachment_bytes(a) for a in first] == [PDF, PNG]
    assert [attachment_bytes(a) for a in second] == [PDF + b"2"]
    assert {a["archive"] for a in first + second} == {f"{package_sha256[:2]}/{package_sha256}.jxp"}
    assert not (Path(xenv.settings.MEDIA_ROOT) / "exchange" / "received").exists()  # no copy per attachment


def test_a_package_received_twice_is_archived_once(xenv, receiving):
    built = receiving.send([item("consultation.submission", submission_body(1), attachments=[PDF])])
    assert xenv.import_all().applied == [("to-intranet", 1)]
    receiving.deliver(built, name=built.file_name)  # the same file again, under the same name
    (receiving.ferry_dir / built.file_name).touch()  # a new copy as far as the receipts can tell
    report = xenv.import_all()
    assert report.duplicates == [("to-intranet", 1)] and not report.applied
    assert len(_archived_files()) == 1
    assert attachment_bytes(ReceivedRecord.objects.get().attachments[0]) == PDF


def test_a_held_package_applies_later_from_its_archived_copy(xenv, receiving):
    first = receiving.build([item("consultation.submission", submission_body(1), attachments=[PDF])])
    second = receiving.build([item("consultation.submission", submission_body(2), attachments=[(PNG, "image/png")])])
    receiving.deliver(second)
    report = xenv.import_all()
    assert report.held == [("to-intranet", 2)] and not report.applied
    held_copy = inbox.inbox_dir("to-intranet") / second.file_name
    assert held_copy.read_bytes() == second.path.read_bytes()

    receiving.deliver(first)
    assert xenv.import_all().applied == [("to-intranet", 1), ("to-intranet", 2)]
    assert not held_copy.exists()  # the held copy goes; the archived package stays
    assert [attachment_bytes(r.attachments[0]) for r in ReceivedRecord.objects.order_by("seq")] == [PDF, PNG]
    assert len(_archived_files()) == 2


def test_a_record_cannot_name_a_file_outside_the_archive(xenv, receiving):
    receiving.send([item("consultation.submission", submission_body(1), attachments=[PDF])])
    assert xenv.import_all().ok
    entry = dict(ReceivedRecord.objects.get().attachments[0])
    for name in ("../secret_key", "/etc/passwd"):
        try:
            archive.read({**entry, "archive": name})
        except ValueError:
            continue
        raise AssertionError(f"{name} was read")


def _age(path: Path, days: float) -> None:
    old = time.time() - days * 24 * 3600
    os.utime(path, (old, old))


def test_archived_packages_nothing_refers_to_go_after_a_package_lifetime(xenv, receiving):
    kept = receiving.send([item("consultation.submission", submission_body(1), attachments=[PDF])])
    orphan = receiving.send([item("consultation.submission", submission_body(2), attachments=[(PNG, "image/png")])])
    recent = receiving.send([item("consultation.submission", submission_body(3), attachments=[PDF + b"3"])])
    assert xenv.import_all().ok
    # As after an apply that was rolled back, or a package refused once verified: no record left.
    ReceivedRecord.objects.filter(seq__in=[2, 3]).delete()
    kept, orphan, recent = (archive.path_for(hashlib.sha256(b.path.read_bytes()).hexdigest())
                            for b in (kept, orphan, recent))
    stale_part = kept.with_name(".half-written.jxp.0a1b2c.part")  # a write that never finished
    stale_part.write_bytes(b"half")
    for path in (kept, orphan, stale_part):
        _age(path, 15)  # the default package lifetime is 14 days

    out = StringIO()
    call_command("exchange", "prune", "--dry-run", stdout=out)
    assert f"would remove archive {archive.name_in(orphan, archive.root())}" in out.getvalue()
    assert all(p.exists() for p in (kept, orphan, recent, stale_part))

    out = StringIO()
    call_command("exchange", "prune", stdout=out)
    assert "2 archived package(s) removed; 1 unused for a package lifetime kept" in out.getvalue()
    assert not orphan.exists() and not stale_part.exists()
    assert kept.exists() and recent.exists()  # referred to; used too recently to judge
    assert attachment_bytes(ReceivedRecord.objects.get(seq=1).attachments[0]) == PDF
    assert AuditEvent.objects.filter(action="exchange.prune_archive").get().detail["removed"] == 2


def test_a_package_received_again_marks_its_archived_file_used(xenv, receiving):
    built = receiving.send([item("consultation.submission", submission_body(1), attachments=[PDF])])
    assert xenv.import_all().ok
    sha = hashlib.sha256(built.path.read_bytes()).hexdigest()
    _age(archive.path_for(sha), 15)
    ReceivedRecord.objects.all().delete()
    # The same package verified again (a redelivery racing a prune): its file is in use from now.
    assert archive.store(sha, data=built.path.read_bytes()) == archive.path_for(sha)
    report = retention.PruneReport()
    retention.prune_archive(report)
    assert archive.path_for(sha).exists() and not report.archive_removed
