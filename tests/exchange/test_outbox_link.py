"""Large immutable files (sealed bid parts) go to the outbox as hard links, not copies."""

import os

import pytest

from exchange.models import OutboundPackage, ReceivedRecord
from exchange.services import outbox
from tests.exchange_support import PDF, policy_body


def _linked(xenv, tmp_path):
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    source = tmp_path / "annex.pdf"
    source.write_bytes(PDF)
    item = outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(),
                          attachments=[outbox.Attachment("附件.pdf", path=source, link=True)])
    return source, item


def test_linked_attachment_is_spooled_without_a_copy_and_arrives_intact(xenv, tmp_path):
    source, item = _linked(xenv, tmp_path)
    [stored] = item.attachments
    spooled = outbox.spool_dir() / stored["spool"]
    assert os.path.samefile(source, spooled) and stored["size"] == len(PDF)
    [package] = outbox.export_channel("to-extranet")
    assert source.read_bytes() == PDF  # the sender's file stays as it was
    xenv.become("extranet")
    assert xenv.import_all().ok
    assert ReceivedRecord.objects.count() == 1 and package.seq == 1


def test_a_linked_file_changed_after_queueing_is_never_exported(xenv, tmp_path):
    source, _item = _linked(xenv, tmp_path)
    with source.open("r+b") as fh:  # same inode as the spooled link
        fh.seek(len(PDF) // 2)
        fh.write(b"X")
    with pytest.raises(OSError, match="changed after its digest was taken"):
        outbox.export_channel("to-extranet")
    assert not OutboundPackage.objects.filter(channel="to-extranet").exists()
