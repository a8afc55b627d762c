"""What operators see: per channel sequence numbers, gaps, quarantine, heartbeat age, keys."""

from __future__ import annotations

from django.utils import timezone

from exchange import conf
from exchange.models import InboxPackage, OutboundItem, OutboundPackage, Quarantine, TrustedKey
from exchange.services.keys import channel_state, own_fingerprint


def gap_ranges(last_applied: int, held: list[int], known_max: int) -> list[list[int]]:
    """Missing sequence numbers after ``last_applied`` up to ``known_max``, as [first, last] ranges."""
    ranges, expected = [], last_applied + 1
    for seq in sorted(s for s in set(held) if s > last_applied):
        if seq > expected:
            ranges.append([expected, seq - 1])
        expected = seq + 1
    if known_max >= expected:
        ranges.append([expected, known_max])
    return ranges


def _age(value) -> int | None:
    return None if value is None else max(0, int((timezone.now() - value).total_seconds()))


def outbound_status(channel: str) -> dict:
    state = channel_state(channel)
    return {
        "channel": channel, "direction": "out",
        "last_sent_seq": state.last_sent_seq, "last_applied_seq": None, "gaps": [], "quarantined": 0,
        "pending_items": OutboundItem.objects.filter(channel=channel, status=OutboundItem.PENDING).count(),
        "refused_items": OutboundItem.objects.filter(channel=channel, status=OutboundItem.REFUSED).count(),
        "unwritten_packages": OutboundPackage.objects.filter(channel=channel, written_at__isnull=True).count(),
        "last_export_at": state.last_export_at.isoformat() if state.last_export_at else None,
        "signing_fingerprint": state.signing_fingerprint or own_fingerprint() or "",
        "ferry": str(conf.ferry_dir(channel)),
    }


def inbound_status(channel: str) -> dict:
    state = channel_state(channel)
    held = list(InboxPackage.objects.filter(channel=channel, state=InboxPackage.HELD).values_list("seq", flat=True))
    open_q = Quarantine.objects.filter(channel=channel, resolved_at__isnull=True)
    claimed = [s for s in open_q.values_list("claimed_seq", flat=True) if s is not None]
    known_max = max([state.highest_seen_seq, *claimed, *held, 0])
    expects_heartbeat = channel in conf.heartbeat_channels()
    age = _age(state.last_heartbeat_at)
    return {
        "channel": channel, "direction": "in",
        "last_sent_seq": state.highest_seen_seq, "last_applied_seq": state.last_applied_seq,
        "gaps": gap_ranges(state.last_applied_seq, held, known_max),
        "quarantined": open_q.count(),
        "held": sorted(held),
        "last_applied_at": state.last_applied_at.isoformat() if state.last_applied_at else None,
        "last_received_at": state.last_received_at.isoformat() if state.last_received_at else None,
        "heartbeat_age_seconds": age,
        "heartbeat_alarm": expects_heartbeat and (age is None or age > conf.heartbeat_max_age()),
        "trusted_keys": [
            {"fingerprint": k.fingerprint, "valid_from_seq": k.valid_from_seq, "valid_until_seq": k.valid_until_seq,
             "label": k.label} for k in TrustedKey.objects.filter(channel=channel)],
        "ferry": str(conf.ferry_dir(channel)),
    }


def status() -> dict:
    """The whole picture for ``exchange status --json`` and the operator screen."""
    channels = {c: outbound_status(c) for c in conf.outbound()}
    channels.update({c: inbound_status(c) for c in conf.inbound()})
    return {"side": conf.side(), "own_fingerprint": own_fingerprint() or "", "channels": channels,
            "heartbeat_max_age_seconds": conf.heartbeat_max_age()}
