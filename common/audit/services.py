"""Writing to and verifying the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from axes.helpers import get_client_ip_address
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from common.audit.context import current_request
from common.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

_deferred: ContextVar[list[dict] | None] = ContextVar("audit_deferred", default=None)
HASHED_FIELDS = (
    "seq", "at", "actor", "actor_id", "ip", "action", "object_type", "object_id",
    "object_repr", "before", "after", "detail", "prev_hash",
)


def _normalize(value):
    """Round-trip through JSON so the hashed form equals what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_hash(fields: dict) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The plain field values of a model instance, for before/after records."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return _normalize({name: getattr(instance, name) for name in names})


def event(
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
    actor=None,
    actor_name: str | None = None,
) -> dict:
    """The fields of one event, not yet chained: for :func:`record_many`."""
    request = current_request()
    user = actor if actor is not None else getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        name, user_id = user.get_username(), user.pk
    else:
        name, user_id = actor_name or ("anonymous" if request is not None else "system"), None
    ip = get_client_ip_address(request) if request is not None else None
    return {
        "at": timezone.now(),
        "actor": name[:150],
        "actor_id": user_id,
        "ip": ip or None,
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None and obj.pk is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "before": _normalize(before),
        "after": _normalize(after),
        "detail": _normalize(detail or {}),
    }


def record(action: str, obj: models.Model | None = None, **fields) -> AuditEvent:
    """Append one event (``fields``: those of :func:`event`). Runs in the caller's transaction, so
    it commits or rolls back with it. Inside :func:`deferred`, the event is kept for the caller to
    append instead (the event returned is then not yet saved)."""
    fields = event(action, obj, **fields)
    pending = _deferred.get()
    if pending is not None:
        pending.append(fields)
        return AuditEvent(**fields)
    return record_many([fields])[0]


@contextmanager
def deferred() -> Iterator[list[dict]]:
    """Keep the events recorded inside (in this thread), in order, in the list given, instead of
    appending each at once: for work that records many events in one transaction, which then
    appends them together with :func:`record_many` before it commits. An exception raised inside
    discards them with the work they describe (the caller's savepoint inside, rolled back)."""
    pending: list[dict] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def record_many(events: list[dict]) -> list[AuditEvent]:
    """Append events made by :func:`event`, in order, with one lock of the chain head and one
    INSERT: for work that records many events in one transaction (the exchange's batches)."""
    if not events:
        return []
    # No savepoint: a failure here must fail the caller's transaction anyway, and a savepoint
    # costs two statements per event.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        for fields in events:
            seq += 1
            fields = {**fields, "seq": seq, "prev_hash": prev}
            fields["hash"] = prev = event_hash(fields)
            rows.append(AuditEvent(**fields))
        AuditEvent.objects.bulk_create(rows)
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return rows


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only after a test flush or a hand-emptied table; the migration creates the row.
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass
class ChainProblem:
    seq: int | None
    message: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield every inconsistency found."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    qs = AuditEvent.objects.order_by("seq").values(*HASHED_FIELDS, "hash")
    for row in qs.iterator(chunk_size=batch_size):
        if row["seq"] != expected_seq:
            yield ChainProblem(row["seq"], f"rows {expected_seq}..{row['seq'] - 1} are missing")
        if row["prev_hash"] != expected_prev:
            yield ChainProblem(row["seq"], "does not link to the previous row")
        if event_hash(row) != row["hash"]:
            yield ChainProblem(row["seq"], "content does not match its hash (changed)")
        expected_prev, expected_seq = row["hash"], row["seq"] + 1
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
    if head.seq != expected_seq - 1 or head.hash != expected_prev:
        yield ChainProblem(head.seq, "the chain head does not match the last row (rows removed at the end)")
