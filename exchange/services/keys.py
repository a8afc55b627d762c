"""Keys: this side's own signing key, pinned fingerprints per channel, rotation."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.db import transaction

from common.audit.services import record
from exchange import conf
from exchange.agentsign import BatchSigner
from exchange.channels import get as get_channel
from exchange.errors import ExchangeError, PackageRejected
from exchange.gpg import GnuPG, GPGError
from exchange.models import ChannelState, InboxPackage, LocalKey, OutboundItem, TrustedKey

log = logging.getLogger(__name__)
_keyrings: dict[tuple, GnuPG] = {}
_signers: dict[tuple, BatchSigner] = {}
_signers_lock = threading.Lock()


def keyring() -> GnuPG:
    key = (str(conf.gnupg_home()), conf.passphrase_file())
    if key not in _keyrings:
        gpg = GnuPG(*key)
        gpg.ensure_home()
        _keyrings[key] = gpg
    return _keyrings[key]


def sign_detached(data: bytes, fingerprint: str) -> bytes:
    """A detached signature by this side's key for a document that is not a package (e.g. a bid
    receipt), over this process's connection to gpg-agent: signing on a request path then costs no
    gpg process. The signer checks each signature before returning it and falls back to a gpg
    process on any problem (see :mod:`exchange.agentsign`)."""
    ring = keyring()
    key = (str(ring.home), ring.passphrase_file)
    with _signers_lock:
        signer = _signers.get(key)
        if signer is None:
            signer = _signers[key] = BatchSigner(ring)
    return signer.sign(data, fingerprint)


def public_key_path() -> Path:
    return conf.state_dir() / "public.asc"


def own_fingerprint() -> str | None:
    key = LocalKey.objects.filter(active=True).first()
    return key.fingerprint if key else None


def export_public_key() -> Path:
    fpr = own_fingerprint()
    if not fpr:
        raise ExchangeError("this side has no key yet: run `exchange keygen`")
    path = public_key_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(keyring().export_public(fpr))
    tmp.replace(path)
    return path


def keygen(*, rotate: bool = False, actor=None) -> tuple[str, bool]:
    """Create this side's key if it has none (or a new one with ``rotate``). Returns (fingerprint, created)."""
    existing = own_fingerprint()
    if existing and not rotate:
        export_public_key()
        return existing, False
    side = conf.side()
    fpr = keyring().generate_key(f"Jincai exchange ({side})", f"exchange-{side}@jincai.invalid")
    with transaction.atomic():
        if existing:
            public_key = keyring().export_public(fpr)
            for channel in conf.outbound():
                state = channel_state(channel, lock=True)
                OutboundItem.objects.create(
                    channel=channel, message_type="exchange.key_rotation", version=1, classification="public",
                    body={"old_fingerprint": state.signing_fingerprint or existing, "new_fingerprint": fpr,
                          "public_key": public_key})
        LocalKey.objects.filter(active=True).update(active=False)
        LocalKey.objects.create(fingerprint=fpr, active=True)
        record("exchange.keygen", detail={"fingerprint": fpr, "rotation_of": existing or ""}, actor=actor,
               actor_name="exchange")
    export_public_key()
    return fpr, True


def channel_state(channel: str, *, lock: bool = False) -> ChannelState:
    get_channel(channel)
    state, _ = ChannelState.objects.get_or_create(channel=channel)
    if lock:
        state = ChannelState.objects.select_for_update().get(pk=state.pk)
    return state


def signing_fingerprint(state: ChannelState) -> str:
    if not state.signing_fingerprint:
        fpr = own_fingerprint()
        if not fpr:
            raise ExchangeError("this side has no signing key: run `exchange keygen`")
        state.signing_fingerprint = fpr
    return state.signing_fingerprint


def trust(key_data: str | bytes, channels: list[str], *, expected: str | None = None, label: str = "",
          actor=None) -> str:
    """Pin the single public key in ``key_data`` for the given inbound channels."""
    inbound = conf.inbound()
    for channel in channels:
        if channel not in inbound:
            raise ExchangeError(f"{channel} is not an inbound channel of the {conf.side()}; choose from {inbound}")
    if not channels:
        raise ExchangeError("name at least one channel")
    try:
        fpr = keyring().import_public(key_data, expected)
    except GPGError as exc:
        raise ExchangeError(str(exc)) from None
    with transaction.atomic():
        for channel in channels:
            key, created = TrustedKey.objects.get_or_create(channel=channel, fingerprint=fpr,
                                                           defaults={"label": label[:200]})
            if not created and key.valid_until_seq is not None:
                key.valid_until_seq = None  # explicitly trusted again by an operator
                key.save(update_fields=["valid_until_seq"])
            record("exchange.trust", detail={"channel": channel, "fingerprint": fpr, "label": label},
                   actor=actor, actor_name="exchange")
    return fpr


def pinned(channel: str) -> dict[str, tuple[int, int | None]]:
    """Fingerprint -> (valid_from_seq, valid_until_seq) for an inbound channel."""
    return {k.fingerprint: (k.valid_from_seq, k.valid_until_seq) for k in TrustedKey.objects.filter(channel=channel)}


def recipients(channel: str) -> list[str]:
    """Encryption recipients of an encrypted outbound channel: the keys pinned in the other direction."""
    reverse = get_channel(channel).reverse
    return [k.fingerprint for k in TrustedKey.objects.filter(channel=reverse, valid_until_seq__isnull=True)]


# ----------------------------------------------------------------------------- handlers
def apply_rotation(ctx) -> None:
    """Apply an ``exchange.key_rotation``: pin the announced key from the next sequence number on."""
    body = ctx.body
    old, new = body["old_fingerprint"], body["new_fingerprint"]
    if old != ctx.signer:
        raise PackageRejected("key_rotation", "the rotation must be signed by the key it replaces")
    if not ctx.is_last_item:
        raise PackageRejected("key_rotation", "a key rotation must be the last item of its package")
    if new == old:
        raise PackageRejected("key_rotation", "the new key is the old key")
    current = TrustedKey.objects.select_for_update().filter(channel=ctx.channel, fingerprint=old).first()
    if current is None or not current.covers(ctx.seq):
        raise PackageRejected("key_rotation", "the announcing key is not pinned for this channel")
    try:
        keyring().import_public(body["public_key"], expected=new)
    except GPGError as exc:
        raise PackageRejected("key_rotation", str(exc)) from None
    TrustedKey.objects.update_or_create(
        channel=ctx.channel, fingerprint=new,
        defaults={"valid_from_seq": ctx.seq + 1, "valid_until_seq": None, "source": "rotation",
                  "label": f"rotation announced in {ctx.channel} #{ctx.seq}"})
    current.valid_until_seq = ctx.seq
    current.save(update_fields=["valid_until_seq"])
    record("exchange.key_rotated", detail={"channel": ctx.channel, "seq": ctx.seq, "old_fingerprint": old,
                                           "new_fingerprint": new, "package": str(ctx.package_uuid)},
           actor_name="exchange")


def check_heartbeat(ctx) -> None:
    """A heartbeat's history must agree with what was applied under the same numbers."""
    history = {h["seq"]: h for h in ctx.body["history"]}
    if not history:
        return
    for row in InboxPackage.objects.filter(channel=ctx.channel, seq__in=list(history), state=InboxPackage.APPLIED):
        if row.manifest_sha256 != history[row.seq]["manifest_sha256"]:
            raise PackageRejected("chain", f"the sender's history differs at sequence {row.seq}")
