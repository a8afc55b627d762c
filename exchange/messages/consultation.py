"""Messages from the public (extranet -> intranet). They stay untrusted on the intranet."""

from exchange import registry
from exchange.messages.common import DATE, DATETIME, DOC_ID, obj, text
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


# --- Consultation added for the public site (additive; v1 above is unchanged) ------------------
# v2 adds what the intranet needs to route and answer: topic, the draft section commented on,
# the page an error report is about, and whether the asker agrees to publication.
SUBMISSION_V2 = obj(
    ["submission_id", "kind", "subject", "text", "submitted_at"],
    {
        **SUBMISSION_V1["properties"],
        "kind": {"enum": ["question", "comment", "error_report", "feedback"]},
        "topic": text(50),
        "section": text(100),
        "page_url": text(500),
        "wants_public": {"type": "boolean"},
    },
)

STATUS_V1 = obj(
    ["submission_id", "status", "updated_at"],
    {
        "submission_id": DOC_ID,
        "status": {"enum": ["received", "assigned", "answered", "closed", "rejected"]},
        "department": text(100),
        "note": text(1000),
        "updated_at": DATETIME,
    },
)

REPLY_V1 = obj(
    ["submission_id", "kind", "reply_html", "replied_at", "received_at", "publish"],
    {
        "submission_id": DOC_ID,
        "kind": {"enum": ["question", "comment", "error_report", "feedback"]},
        "subject": text(200),
        "question_text": text(20000),
        "topic": text(50),
        "department": text(100),
        "reply_html": text(100_000, 1),
        "received_at": DATETIME,
        "replied_at": DATETIME,
        # True only when the asker agreed and the bureau approved publication.
        "publish": {"type": "boolean"},
    },
)

DRAFT_PUBLISH_V1 = obj(
    ["document_id", "revision", "title", "issuer", "opens_on", "closes_on", "sections", "published_at",
     "disclosure"],
    {
        "document_id": DOC_ID,
        "revision": {"type": "integer", "minimum": 1},
        "title": text(500, 1),
        "issuer": text(200, 1),
        "summary": text(4000),
        "opens_on": DATE,
        "closes_on": DATE,
        "sections": {"type": "array", "minItems": 1, "maxItems": 200,
                     "items": obj(["key", "heading", "html"], {"key": {"type": "string", "pattern": "^[a-z0-9-]{1,40}$"},
                                                              "heading": text(200), "html": text(500_000)})},
        "published_at": DATETIME,
        "disclosure": {"const": "public"},
    },
)

DRAFT_SUMMARY_V1 = obj(
    ["document_id", "summary_html", "comment_count", "published_at"],
    {
        "document_id": DOC_ID,
        "summary_html": text(500_000, 1),
        "adopted_html": text(500_000),
        "comment_count": {"type": "integer", "minimum": 0},
        "published_at": DATETIME,
    },
)


def _public_record(body: dict, classification: str) -> str | None:
    if classification != "public" or body.get("disclosure", "public") != "public":
        return "only records released to the public may be published"
    return None


registry.register("consultation.submission", 2, schema=SUBMISSION_V2, channels=["to-intranet"],
                  apply=store_record, default=True,
                  description="A question, comment, error report or page feedback from the public (v2).")
registry.register("consultation.status", 1, schema=STATUS_V1, channels=["to-extranet"],
                  classification_check=_public_record, apply=store_record, default=True, max_attachments=0,
                  description="The handling status of a public submission, for its tracking page.")
registry.register("consultation.reply", 1, schema=REPLY_V1, channels=["to-extranet"],
                  classification_check=_public_record, html_fields=("reply_html",), apply=store_record,
                  default=True, max_attachments=0,
                  description="The bureau's approved reply to a public submission.")
registry.register("consultation.draft.publish", 1, schema=DRAFT_PUBLISH_V1, channels=["to-extranet"],
                  classification_check=_public_record, apply=store_record, default=True,
                  description="A draft document open for public comment (意见征集).")
registry.register("consultation.draft.summary", 1, schema=DRAFT_SUMMARY_V1, channels=["to-extranet"],
                  classification_check=_public_record, html_fields=("summary_html", "adopted_html"),
                  apply=store_record, default=True, max_attachments=0,
                  description="After a consultation closes: the summary of the feedback and the adopted changes.")
