"""The channels of the exchange. Pure data: used by both deployments and the province simulator."""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = "public"
INTERNAL = "internal"
RESTRICTED = "restricted"
CLASSIFICATIONS = (PUBLIC, INTERNAL, RESTRICTED)


@dataclass(frozen=True)
class Channel:
    name: str
    sender: str
    receiver: str
    encrypted: bool
    classifications: frozenset[str]
    # The channel in the opposite direction; its pinned keys are this channel's encryption recipients.
    reverse: str


CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel("to-extranet", "intranet", "extranet", False, frozenset({PUBLIC}), "to-intranet"),
        Channel("to-intranet", "extranet", "intranet", False, frozenset({PUBLIC, INTERNAL}), "to-extranet"),
        Channel("to-province", "intranet", "province", True, frozenset(CLASSIFICATIONS), "from-province"),
        Channel("from-province", "province", "intranet", True, frozenset(CLASSIFICATIONS), "to-province"),
    )
}


def outbound(side: str) -> list[Channel]:
    return [c for c in CHANNELS.values() if c.sender == side]


def inbound(side: str) -> list[Channel]:
    return [c for c in CHANNELS.values() if c.receiver == side]


def get(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}; known: {', '.join(CHANNELS)}") from None
