"""Messages for the public portal (intranet -> extranet)."""

from exchange import registry
from exchange.messages.common import DATE, DATETIME, DOC_ID, obj, text
from exchange.messages.store import store_record

POLICY_PUBLISH_V1 = obj(
    ["document_id", "revision", "title", "doc_number", "issuer", "issued_on", "body_html", "disclosure"],
    {
        "document_id": DOC_ID,
        "revision": {"type": "integer", "minimum": 1},
        "title": text(500, 1),
        "doc_number": text(100),  # 文号, e.g. 宝市财办信〔2009〕8号
        "issuer": text(200, 1),
        "issued_on": DATE,
        "effective_from": {"anyOf": [DATE, {"type": "null"}]},
        "effective_until": {"anyOf": [DATE, {"type": "null"}]},
        "validity": {"enum": ["valid", "amended", "repealed"]},
        "category": text(100),
        "keywords": {"type": "array", "maxItems": 30, "items": text(50, 1)},
        "summary": text(4000),
        "body_html": text(2_000_000),
        "interprets": {"anyOf": [DOC_ID, {"type": "null"}]},
        "attachment_titles": {"type": "array", "maxItems": 20, "items": text(255)},
        # Only documents released for active disclosure (主动公开) are ever sent.
        "disclosure": {"const": "public"},
        "published_at": DATETIME,
    },
)

WITHDRAW_V1 = obj(
    ["document_id", "reason"],
    {"document_id": DOC_ID, "reason": text(1000), "withdrawn_at": DATETIME},
)


def _public_only(body: dict, classification: str) -> str | None:
    if classification != "public" or body.get("disclosure", "public") != "public":
        return "only documents released to the public may be published"
    return None


def _apply_withdraw(ctx):
    from exchange.models import ReceivedRecord

    store_record(ctx)
    ReceivedRecord.objects.filter(message_type="portal.policy.publish", key=ctx.body["document_id"]).update(
        withdrawn=True)


registry.register("portal.policy.publish", 1, schema=POLICY_PUBLISH_V1, channels=["to-extranet"],
                  classification_check=_public_only, html_fields=("body_html",), apply=store_record, default=True,
                  description="Publish (or republish a revision of) a policy document on the portal.")
registry.register("portal.withdraw", 1, schema=WITHDRAW_V1, channels=["to-extranet"],
                  classification_check=_public_only, apply=_apply_withdraw, default=True,
                  description="Withdraw a document from the portal.")
