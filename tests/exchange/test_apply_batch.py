"""Items applied together by the built-in handler behave as if applied one by one."""

from __future__ import annotations

from django.db.models.signals import post_save

from exchange.models import InboxPackage, ReceivedRecord
from tests.exchange.conftest import PDF, item, submission_body


def test_a_run_of_items_is_stored_in_order_and_each_row_is_announced(xenv, receiving):
    announced = []

    def saved(sender, instance, created, **kwargs):
        announced.append((instance.pk, instance.item_index, created))

    post_save.connect(saved, sender=ReceivedRecord, dispatch_uid="test-batch")
    try:
        receiving.send([item("consultation.submission", submission_body(n), index=n - 1,
                             attachments=[PDF] if n == 2 else ()) for n in (1, 2, 3)])
        report = xenv.import_all()
    finally:
        post_save.disconnect(dispatch_uid="test-batch", sender=ReceivedRecord)
    assert report.ok and report.applied == [("to-intranet", 1)]
    rows = list(ReceivedRecord.objects.order_by("item_index").values_list("pk", "item_index", "key", "untrusted"))
    assert [(r[1], r[2], r[3]) for r in rows] == [(0, "sub:1", True), (1, "sub:2", True), (2, "sub:3", True)]
    # Receivers of post_save (search indexing) hear of every new row, with its primary key.
    assert sorted(announced) == [(pk, index, True) for pk, index, *_ in rows]
    stored = ReceivedRecord.objects.get(item_index=1).attachments
    assert [a["size"] for a in stored] == [len(PDF)]
    assert InboxPackage.objects.get().state == InboxPackage.APPLIED


def test_the_audit_events_of_a_run_are_in_the_order_things_happened(xenv, receiving, monkeypatch):
    from common.audit.models import AuditEvent
    from common.audit.services import record, verify_chain
    from exchange import registry
    from exchange.messages.store import store_record

    def handled(ctx):  # a handler that audits what it does, as the apps' handlers do
        record("test.handled", detail={"seq": ctx.seq})
        return store_record(ctx)

    monkeypatch.setattr(registry.get("consultation.submission", 1), "apply", handled)
    packages = [receiving.build([item("consultation.submission", submission_body(n))]) for n in (1, 2, 3, 4)]
    for p in packages[:2] + packages[3:]:
        receiving.deliver(p)
    damaged = bytearray(packages[2].path.read_bytes())
    damaged[-600] ^= 0x01
    (receiving.ferry_dir / packages[2].file_name).write_bytes(damaged)
    first = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    report = xenv.import_all()
    assert report.applied == [("to-intranet", 1), ("to-intranet", 2)] and len(report.rejected) == 1

    receiving.deliver(packages[2])  # the valid copy: 3 applies, then the held 4
    assert xenv.import_all().applied == [("to-intranet", 3), ("to-intranet", 4)]
    trail = [(e.action, e.detail.get("seq")) for e in AuditEvent.objects.filter(seq__gt=first).order_by("seq")
             if e.action.startswith(("exchange.accept", "exchange.reject", "test."))]
    assert trail == [("test.handled", 1), ("exchange.accept", 1), ("test.handled", 2), ("exchange.accept", 2),
                     ("exchange.reject", 3), ("test.handled", 3), ("exchange.accept", 3),
                     ("test.handled", 4), ("exchange.accept", 4)]
    assert list(verify_chain()) == []
