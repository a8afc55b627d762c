"""Official documents (公文) exchanged with the provincial bureau."""

from exchange import registry
from exchange.messages.common import DATE, DOC_ID, obj, text
from exchange.messages.store import store_record

OFFICIAL_DOCUMENT_V1 = obj(
    ["document_id", "title", "doc_number", "issuer", "issued_on", "body_text"],
    {
        "document_id": DOC_ID,
        "title": text(500, 1),
        "doc_number": text(100),
        "issuer": text(200, 1),
        "issued_on": DATE,
        "urgency": {"enum": ["normal", "urgent", "very_urgent"]},
        "recipients": {"type": "array", "maxItems": 50, "items": text(200, 1)},
        "body_text": text(1_000_000),
        "in_reply_to": {"anyOf": [DOC_ID, {"type": "null"}]},
    },
)

registry.register("oa.official_document", 1, schema=OFFICIAL_DOCUMENT_V1,
                  channels=["to-province", "from-province"], apply=store_record, default=True,
                  description="An official document sent to or received from the provincial bureau.")
