"""Procurement message types defined by this app (beside those in ``exchange.messages.procurement``).

The extranet defines the same schema in ``extranet.procurement.messages``; the two sides agree on
it by value (a test compares them), as the deployments may not import each other.
"""

from exchange import registry
from exchange.messages.common import DATETIME, DOC_ID, obj, text

# The termination notice (终止公告) of a tender: 终止 (terminated) or 废标 (all bids rejected).
TENDER_CANCEL_V1 = obj(
    ["tender_id", "kind", "title", "reason", "published_at", "disclosure"],
    {"tender_id": DOC_ID, "kind": {"enum": ["terminated", "failed"]}, "title": text(500, 1),
     "reason": text(4000, 1), "published_at": DATETIME, "disclosure": {"const": "public"}},
)


def _public_only(body: dict, classification: str) -> str | None:
    if classification != "public" or body.get("disclosure") != "public":
        return "only procurement records released to the public may be published"
    return None


def define() -> None:
    registry.register("procurement.tender.cancel", 1, schema=TENDER_CANCEL_V1, channels=["to-extranet"],
                      classification_check=_public_only,
                      description="A tender's termination notice (终止公告); bids are no longer accepted.")
