"""Messages from the public (extranet -> intranet). They stay untrusted on the intranet."""

from exchange import registry
from exchange.messages.common import DATETIME, DOC_ID, obj, text
from exchange.messages.store import store_record

SUBMISSION_V1 = obj(
    ["submission_id", "kind", "subject", "text", "submitted_at"],
    {
        "submission_id": DOC_ID,
        "kind": {"enum": ["question", "comment", "error_report"]},
        "subject": text(200, 1),
        "text": text(20000, 1),
        "regarding": {"anyOf": [DOC_ID, {"type": "null"}]},
        "submitted_at": DATETIME,
        "contact": obj([], {"name": text(100), "email": text(254), "phone": text(30)}),
    },
)

registry.register("consultation.submission", 1, schema=SUBMISSION_V1, channels=["to-intranet"],
                  apply=store_record, default=True,
                  description="A question, comment on a draft, or error report from the public.")
