"""Demo keys for ``setup_demo`` on each side (and the simulated provincial bureau)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from exchange import conf, gpg
from exchange.models import TrustedKey
from exchange.services import keys

log = logging.getLogger(__name__)


def _trust_file(path: Path, channel: str, label: str) -> bool:
    """Pin the key in ``path`` for ``channel`` unless it already is; True when pinned now."""
    if not path.exists():
        return False
    scanned = keys.keyring().scan(path.read_bytes())
    if len(scanned) == 1 and TrustedKey.objects.filter(
            channel=channel, fingerprint=gpg.normalize_fingerprint(scanned[0]["fingerprint"])).exists():
        return False
    keys.trust(path.read_bytes(), [channel], label=label)
    return True


def ensure_demo_keys(side: str) -> list[str]:
    """Create this side's key, pin the other side's key if it already exists, and on the intranet set
    up the simulated provincial bureau. Idempotent; returns what it did.

    Each side can only pin a key that exists: run ``setup_demo`` on both sides, and the side that
    ran first once more, to pin both directions (later runs change nothing).
    """
    done = []
    fpr, created = keys.keygen()
    if created:
        done.append(f"created the {side} key {fpr}")
    data = Path(settings.JINCAI_DATA_DIR)
    other = "extranet" if side == "intranet" else "intranet"
    channel = "to-intranet" if side == "intranet" else "to-extranet"
    if _trust_file(data / other / "exchange" / "public.asc", channel, f"demo {other}"):
        done.append(f"pinned the {other} key for {channel}")
    if side == "intranet":
        from exchange import province_sim

        province = province_sim.Province(data / "province", data / "ferry")
        province.init()
        province.trust(keys.public_key_path())
        if _trust_file(province.public_key_path, "from-province", "demo provincial bureau (simulated)"):
            done.append("pinned the simulated provincial bureau for from-province")
    for line in done:
        log.info("exchange demo: %s", line)
    if not done:
        log.info("exchange demo: keys already in place (%s)", conf.side())
    return done
