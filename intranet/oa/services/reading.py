"""阅知: an issued document distributed to internal departments is put in front of their staff.

Distribution opens a reading task in the inbox (待办) of everyone of a receiving department and a
receipt row per person; confirming the reading closes the task, stamps the receipt (who read it,
when) and records an event, so the document moves to the reader's 已办. The sending side sees the
receipts.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.audit.services import record
from intranet.oa.models import Distribution, Document, DocumentEvent, ReadingReceipt, Task
from intranet.oa.permissions import principals

STEP = "read"


def ask_to_read(doc: Document, distribution: Distribution, *, exclude=None) -> int:
    """Open a reading task for each active member of the distribution's department; returns how many."""
    people = get_user_model().objects.filter(department_id=distribution.department_id, is_active=True)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    already = set(ReadingReceipt.objects.filter(document=doc).values_list("reader_id", flat=True))
    people = [p for p in people.order_by("pk") if p.pk not in already]
    ReadingReceipt.objects.bulk_create(ReadingReceipt(document=doc, distribution=distribution, reader=p)
                                       for p in people)
    Task.objects.bulk_create(Task(document=doc, step=STEP, user=p) for p in people)
    return len(people)


def pending_receipt(doc: Document, user) -> ReadingReceipt | None:
    """The unread receipt ``user`` may confirm: their own first, else one of a colleague they stand in for."""
    people = principals(user)
    rows = {r.reader_id: r for r in ReadingReceipt.objects.filter(
        document=doc, read_at__isnull=True, reader__in=people)}
    return next((rows[p.pk] for p in people if p.pk in rows), None)


class NothingToRead(Exception):
    """The user has no unread receipt for this document."""


@transaction.atomic
def mark_read(doc: Document, user) -> ReadingReceipt:
    """Confirm the reading (阅毕); raises :class:`NothingToRead` when there is nothing to confirm."""
    found = pending_receipt(doc, user)
    if found is None:
        raise NothingToRead(_("There is nothing for you to read in this document."))
    receipt = ReadingReceipt.objects.select_for_update().get(pk=found.pk)
    if receipt.read_at is not None:  # confirmed meanwhile (a second click, another tab)
        raise NothingToRead(_("There is nothing for you to read in this document."))
    now = timezone.now()
    receipt.read_at, receipt.read_by = now, user
    receipt.save(update_fields=["read_at", "read_by"])
    Task.objects.filter(document=doc, step=STEP, user_id=receipt.reader_id, done_at__isnull=True).update(
        done_at=now, done_by=user)
    on_behalf = receipt.reader if receipt.reader_id != user.pk else None
    DocumentEvent.objects.create(document=doc, transition=STEP, from_state=doc.state, to_state=doc.state, actor=user,
                                 on_behalf_of=on_behalf, data={"department": receipt.distribution.target})
    record("oa.read", doc, detail={"reader": receipt.reader.get_username(), "read_at": now.isoformat(),
                                   "on_behalf_of": on_behalf.get_username() if on_behalf else ""}, actor=user)
    return receipt


def may_see_receipts(doc: Document, user) -> bool:
    """The sending side: the drafter and their department, the office that distributed it, leaders."""
    for person in principals(user):
        if person.pk == doc.created_by_id or (person.department_id and person.department_id == doc.department_id):
            return True
        if person.has_perm("oa.clerk_document") or person.has_perm("oa.view_all_documents"):
            return True
    return False


def receipts(doc: Document):
    return (ReadingReceipt.objects.filter(document=doc)
            .select_related("reader", "read_by", "distribution").order_by("distribution_id", "reader__username"))
