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
