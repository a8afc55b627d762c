"""Document numbers 机关代字〔年份〕N号: one sequence per 代字 and year, no gaps, no duplicates.

The sequence row is locked (``select_for_update``) and the number is written to the document in
the caller's transaction: if that transaction rolls back, so does the sequence, so a number is
never lost (no gap) and never given twice (the lock, backed by a unique constraint).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from intranet.oa.models import NumberSequence


def _locked(agency_code: str, year: int) -> NumberSequence:
    seq = NumberSequence.objects.select_for_update().filter(agency_code=agency_code, year=year).first()
    if seq is not None:
        return seq
    try:
        with transaction.atomic():  # a savepoint: a concurrent creator wins, we lock its row
            NumberSequence.objects.create(agency_code=agency_code, year=year, last=0)
    except IntegrityError:
        pass
    return NumberSequence.objects.select_for_update().get(agency_code=agency_code, year=year)


def next_number(agency_code: str, year: int) -> int:
    """Take the next number; must run inside the transaction that stores it on the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate numbers inside the transaction that uses them")
    seq = _locked(agency_code, year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def reserve_up_to(agency_code: str, year: int, number: int) -> None:
    """Move a sequence forward to ``number`` (documents numbered before this system existed)."""
    seq = _locked(agency_code, year)
    if seq.last < number:
        seq.last = number
        seq.save(update_fields=["last"])
