"""Messages of the exchange itself: heartbeats and key rotation (every channel)."""

from exchange import registry
from exchange.channels import CHANNELS
from exchange.messages.common import DATETIME, FPR, HEX64, obj, text

HEARTBEAT_V1 = obj(
    ["sent_at", "history"],
    {
        "sent_at": DATETIME,
        # The packages sent on the channel before this one (newest last), so the receiver can see
        # what it missed or whether it holds something else under the same number.
        "history": {
            "type": "array", "maxItems": 100,
            "items": obj(["seq", "uuid", "manifest_sha256"],
                         {"seq": {"type": "integer", "minimum": 1}, "uuid": text(36, 36),
                          "manifest_sha256": HEX64}),
        },
    },
)

KEY_ROTATION_V1 = obj(
    ["old_fingerprint", "new_fingerprint", "public_key"],
    {"old_fingerprint": FPR, "new_fingerprint": FPR, "public_key": text(65536, 100)},
)


def _apply_heartbeat(ctx):
    from exchange.services.keys import check_heartbeat

    check_heartbeat(ctx)


def _apply_rotation(ctx):
    from exchange.services.keys import apply_rotation

    apply_rotation(ctx)


registry.register("exchange.heartbeat", 1, schema=HEARTBEAT_V1, channels=list(CHANNELS), apply=_apply_heartbeat,
                  max_attachments=0, description="Liveness and recent history of a channel.")
registry.register("exchange.key_rotation", 1, schema=KEY_ROTATION_V1, channels=list(CHANNELS),
                  apply=_apply_rotation, max_attachments=0,
                  description="Announces the sender's next signing key; must be signed by the current one.")
