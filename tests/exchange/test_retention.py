"""Sender-side pruning of the outbound ferry: expired packages go, nothing a receiver could use does."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from common.audit.models import AuditEvent
from exchange.models import OutboundPackage
from exchange.services import outbox, retention
from tests.exchange.conftest import policy_body

SKEW = timedelta(minutes=10)  # the clock skew a receiver allows; pruning waits that much longer


def export(xenv, n: int, lifetime: int | None = None):
    if lifetime is not None:
        xenv.settings.JINCAI_EXCHANGE_PACKAGE_LIFETIME_SECONDS = lifetime
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(n))
    [package] = outbox.export_channel("to-extranet")
    return package


def names(xenv) -> list[str]:
    return sorted(p.name for p in xenv.ferry("to-extranet").iterdir())


def test_only_expired_packages_this_side_wrote_are_pruned(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    short = export(xenv, 1, lifetime=60)
    long = export(xenv, 2, lifetime=14 * 24 * 3600)
    ferry = xenv.ferry("to-extranet")
    stranger = ferry / "to-extranet-0000000009-3f2b0c1e-8a5d-4b7e-9c61-0d2e4f6a8b9c.jxp"  # not ours
    stranger.write_bytes(b"x" * 4096)
    (ferry / "README").write_text("not a package")

    # Within the lifetime (and the receiver's clock skew after it) nothing goes.
    assert retention.prune(now=short.expires_at + SKEW - timedelta(seconds=1)).removed == []
    assert len(names(xenv)) == 4

    later = short.expires_at + SKEW + timedelta(seconds=1)
    dry = retention.prune(now=later, dry_run=True)
    assert dry.removed == [("to-extranet", short.file_name)] and short.file_name in names(xenv)

    report = retention.prune(now=later)
    assert report.removed == [("to-extranet", short.file_name)] and report.kept == 2
    assert names(xenv) == sorted([long.file_name, stranger.name, "README"])
    event = AuditEvent.objects.filter(action="exchange.prune").get()
    assert event.detail["channel"] == "to-extranet" and event.detail["files"] == [short.file_name]
    # The sender keeps its own copy and its record of what it sent.
    assert (outbox.outbox_dir("to-extranet") / short.file_name).exists()
    assert OutboundPackage.objects.count() == 2



def test_pruning_leaves_a_package_the_receiver_already_read_alone_until_it_expires(xenv):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    package = export(xenv, 1)
    xenv.become("extranet")
    assert xenv.import_all().applied == [("to-extranet", 1)]
    xenv.become("intranet")
    assert retention.prune().removed == []
    assert names(xenv) == [package.file_name]
    assert retention.prune(now=timezone.now() + timedelta(days=15)).removed == [("to-extranet", package.file_name)]
    xenv.become("extranet")
    report = xenv.import_all()  # the file is gone: nothing new, nothing rejected
    assert report.ok and report.applied == [] and xenv.status("to-extranet")["last_applied_seq"] == 1


def test_prune_command_and_stale_temporary_files(xenv):
    package = export(xenv, 1, lifetime=60)
    ferry = xenv.ferry("to-extranet")
    stale, fresh = ferry / ".old.jxp.ab12.part", ferry / ".new.jxp.cd34.part"
    stale.write_bytes(b"half"), fresh.write_bytes(b"half")
    old = time.time() - 15 * 24 * 3600
    os.utime(stale, (old, old))
    OutboundPackage.objects.filter(pk=package.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    out = StringIO()
    call_command("exchange", "prune", "--dry-run", stdout=out)
    assert f"would remove to-extranet {package.file_name}" in out.getvalue()
    assert (ferry / package.file_name).exists() and stale.exists()

    out = StringIO()
    call_command("exchange", "prune", stdout=out)
    assert f"removed to-extranet {package.file_name}" in out.getvalue()
    assert not (ferry / package.file_name).exists() and not stale.exists() and fresh.exists()
