"""Checks and helpers every service uses: permissions, separation of duties, numbering, audit."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from core_finance.errors import refuse
from core_finance.models import NumberSequence


def require_perm(user, codename: str, action) -> None:
    if user is None or not user.has_perm(f"core_finance.{codename}"):
        raise refuse("permission", action=action)


def not_creator(creator_id, user, document) -> None:
    """The creator of a document never approves (or otherwise reviews) it."""
    if creator_id is not None and user is not None and creator_id == user.pk:
        raise refuse("creator_approves", document=document)


def require_state(obj, allowed, document, action) -> None:
    if obj.status not in allowed:
        raise refuse("state", document=document, state=obj.get_status_display(), action=action)


def next_number(key: str, width: int = 6) -> str:
    """The next number for ``key``: ``KEY-000001``. Call before any audit record (lock order)."""
    with transaction.atomic():
        row = NumberSequence.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(key=key, last=0)
            except IntegrityError:
                pass  # someone else created it first; lock theirs
            row = NumberSequence.objects.select_for_update().get(key=key)
        row.last += 1
        row.save(update_fields=["last"])
    return f"{key}-{row.last:0{width}d}"


def today():
    return timezone.localdate()


def clean_text(value, field, max_length=None, required=True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise refuse("field_required", field=field)
    return text[:max_length] if max_length else text
