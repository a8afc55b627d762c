"""Applying a verified package: every item's handler, the chain check, the high-water mark and the
audit record, inside the caller's transaction (or, for a held package, in its own)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from common.audit.services import record
from exchange import registry
from exchange.errors import PackageRejected
from exchange.manifest import ZERO_HASH
from exchange.models import ChannelState, InboxPackage, Quarantine, Receipt
from exchange.package import VerifiedPackage
from exchange.services.keys import pinned

# What accepting and applying a package changes on its channel's row.
STATE_FIELDS = ["highest_seen_seq", "last_received_at", "last_heartbeat_at", "last_applied_seq",
                "last_applied_manifest_sha256", "last_applied_at"]


def sanitized_bodies(vp: VerifiedPackage) -> list[dict]:
    return [registry.sanitized(registry.get(item.type, item.version), item.body) for item in vp.items]


def audit_detail(channel, file_name, error=None, vp=None, package_sha256="", seq=None):
    detail = {"channel": channel, "file": file_name, "package_sha256": package_sha256,
              "uuid": str(vp.uuid) if vp else "", "seq": vp.seq if vp else seq,
              "manifest_sha256": vp.manifest_sha256 if vp else "", "signer": vp.signer if vp else ""}
    if error:
        detail.update(code=error.code, reason=error.message)
    return detail


def check_signer(vp: VerifiedPackage, pins: dict[str, tuple[int, int | None]]) -> None:
    """The signer must be pinned for the package's sequence number. Checked when the package is
    verified and again when it is applied: a key rotation applied in between retires the old key
    for every later number, though packages are verified ahead of the apply."""
    if vp.signer not in pins:
        raise PackageRejected("untrusted_signer", f"{vp.signer} is not pinned for {vp.channel}")
    first, until = pins[vp.signer]
    if vp.seq < first or (until is not None and vp.seq > until):
        raise PackageRejected("key_retired", f"{vp.signer} may not sign sequence {vp.seq} on {vp.channel}")


def apply_items(channel: str, vp: VerifiedPackage, bodies: list[dict] | None) -> None:
    """Run the handlers of every item in order; a run of items with a batch handler goes in one call."""
    trusted = channel != "to-intranet"  # submissions from the internet side stay untrusted
    bodies = bodies if bodies is not None else sanitized_bodies(vp)
    contexts = []
    for item, body in zip(vp.items, bodies, strict=True):
        mt = registry.get(item.type, item.version)
        if mt is None or mt.apply is None:
            raise PackageRejected("unknown_type", f"no handler for {item.type} v{item.version} on this side")
        contexts.append((mt, registry.ApplyContext(
            channel=channel, package_uuid=vp.uuid, seq=vp.seq, signer=vp.signer, item_index=item.index,
            is_last_item=item.index == len(vp.items) - 1, message_type=item.type, version=item.version,
            classification=item.classification, ref=item.ref, body=body, attachments=item.attachments,
            trusted=trusted)))
    start = 0
    while start < len(contexts):
        mt = contexts[start][0]
        many = getattr(mt.apply, "many", None)
        end = start + 1
        if many is not None:
            while end < len(contexts) and contexts[end][0] is mt:
                end += 1
            many([ctx for _, ctx in contexts[start:end]])
        else:
            mt.apply(contexts[start][1])
        start = end


def apply_in_transaction(channel: str, state: ChannelState, row: InboxPackage, vp: VerifiedPackage,
                          bodies: list[dict] | None, now, *, save_state: bool = True,
                          resolve_quarantine: bool = True, pins: dict | None = None) -> None:
    """Inside the caller's transaction, with ``state`` locked: signer, chain check, items, high-water
    mark, audit.

    A caller that applies a run of packages in one transaction saves ``state`` itself, once, before
    it commits (``save_state``), says whether an unresolved quarantine entry may name this
    sequence number (``resolve_quarantine``), and may pass the channel's current ``pins``: a
    statement each that a package rarely needs.
    """
    check_signer(vp, pins if pins is not None else pinned(channel))
    if vp.prev != (state.last_applied_manifest_sha256 or ZERO_HASH):
        raise PackageRejected("chain", f"package {vp.seq} does not follow the package applied before it")
    apply_items(channel, vp, bodies)
    state.last_applied_seq, state.last_applied_manifest_sha256 = vp.seq, vp.manifest_sha256
    state.last_applied_at = now
    if save_state:
        state.save(update_fields=STATE_FIELDS)
    if resolve_quarantine:
        Quarantine.objects.filter(channel=channel, claimed_seq=vp.seq, resolved_at__isnull=True).update(
            resolved_at=now)
    record("exchange.accept", row, detail={**audit_detail(channel, row.file_name, None, vp, row.package_sha256),
                                           "items": len(vp.items)}, actor_name="exchange")


def apply_held(channel: str, row: InboxPackage, vp: VerifiedPackage, bodies: list[dict] | None = None) -> bool:
    """Apply a held package: every item and the high-water mark in one transaction, all or nothing."""
    with transaction.atomic():
        state = ChannelState.objects.select_for_update().get(channel=channel)
        if state.last_applied_seq + 1 != vp.seq:
            return False
        row = InboxPackage.objects.select_for_update().get(pk=row.pk)
        if row.state != InboxPackage.HELD:
            return False
        now = timezone.now()
        row.state, row.applied_at = InboxPackage.APPLIED, now
        row.save(update_fields=["state", "applied_at"])
        Receipt.objects.filter(channel=channel, file_name=row.file_name, outcome="held").update(outcome="applied")
        apply_in_transaction(channel, state, row, vp, bodies, now)
    return True
