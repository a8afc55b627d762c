"""Procurement messages.

To the extranet (public): tender notices with their documents and the tender's bid-opening public
key, amendments, deadline extensions, clarification answers, supplier review results, opening
records, award notices and the tender's OCDS release.

To the intranet: supplier registrations, clarification questions (without the asker's identity)
and sealed bids. Bid files travel as OpenPGP ciphertext, encrypted on the extranet to the tender's
bid-opening key while they were uploaded; a large file is split into independently encrypted parts
(each one OpenPGP message) so that no member of a package exceeds the exchange's file size cap.
"""

from exchange import registry
from exchange.messages.common import DATETIME, DOC_ID, FPR, HEX64, obj, text

MONEY = {"type": "string", "pattern": r"^\d{1,15}(\.\d{1,2})?$"}
UUID_HEX = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
# 统一社会信用代码: the checksum is checked by the applications, the shape here.
USCC = {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}
METHOD = {"enum": ["open", "invited", "competitive_negotiation", "competitive_consultation", "inquiry",
                   "single_source"]}
PUBLIC_KEY = {"type": "string", "minLength": 100, "maxLength": 20000,
              "pattern": "^-----BEGIN PGP PUBLIC KEY BLOCK-----"}
NULLABLE_DATETIME = {"anyOf": [DATETIME, {"type": "null"}]}
PUBLIC_ONLY = {"const": "public"}
LOT_NUMBER = {"type": "integer", "minimum": 1, "maximum": 99}

LOT = obj(["number", "title", "budget"], {"number": LOT_NUMBER, "title": text(300, 1), "budget": MONEY,
                                          "description": text(4000)})
DOCUMENT = obj(["title"], {"title": text(255, 1)})

TENDER_PUBLISH_V1 = obj(
    ["tender_id", "revision", "reference", "title", "method", "buyer", "budget", "bid_security", "lots",
     "published_at", "clarification_deadline", "bid_deadline", "opening_at", "bid_key", "documents",
     "disclosure"],
    {
        "tender_id": DOC_ID,
        "revision": {"type": "integer", "minimum": 1},
        "reference": text(100, 1),  # 项目编号
        "title": text(500, 1),
        "method": METHOD,
        "buyer": text(200, 1),
        "agency": text(200),
        "description": text(20000),
        "budget": MONEY,
        "currency": {"const": "CNY"},
        "bid_security": MONEY,
        "lots": {"type": "array", "minItems": 1, "maxItems": 50, "items": LOT},
        "published_at": DATETIME,
        "clarification_deadline": DATETIME,
        "bid_deadline": DATETIME,
        "opening_at": DATETIME,
        "opening_place": text(300),
        "contact": text(300),
        "max_file_bytes": {"type": "integer", "minimum": 1},
        "bid_key": obj(["fingerprint", "public_key"], {"fingerprint": FPR, "public_key": PUBLIC_KEY}),
        # One entry per attachment, in order.
        "documents": {"type": "array", "maxItems": 20, "items": DOCUMENT},
        "disclosure": PUBLIC_ONLY,
    },
)

AMENDMENT_V1 = obj(
    ["tender_id", "amendment_id", "number", "title", "description", "published_at", "documents", "disclosure"],
    {
        "tender_id": DOC_ID,
        "amendment_id": DOC_ID,
        "number": {"type": "integer", "minimum": 1},
        "title": text(500, 1),
        "description": text(20000, 1),
        "published_at": DATETIME,
        "bid_deadline": NULLABLE_DATETIME,
        "opening_at": NULLABLE_DATETIME,
        "documents": {"type": "array", "maxItems": 20, "items": DOCUMENT},
        "disclosure": PUBLIC_ONLY,
    },
)

DEADLINE_EXTENDED_V1 = obj(
    ["tender_id", "previous_deadline", "bid_deadline", "opening_at", "reason", "published_at", "disclosure"],
    {
        "tender_id": DOC_ID,
        "previous_deadline": DATETIME,
        "bid_deadline": DATETIME,
        "opening_at": DATETIME,
        "reason": text(2000),
        "published_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

QUESTION_V1 = obj(
    ["question_id", "tender_id", "text", "asked_at"],
    {"question_id": UUID_HEX, "tender_id": DOC_ID, "text": text(4000, 1), "asked_at": DATETIME},
)

ANSWER_V1 = obj(
    ["tender_id", "answer_id", "question", "answer", "question_ids", "published_at", "disclosure"],
    {
        "tender_id": DOC_ID,
        "answer_id": DOC_ID,
        "question": text(4000, 1),
        "answer": text(20000, 1),
        "question_ids": {"type": "array", "maxItems": 100, "items": UUID_HEX},
        "published_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

CONTACT = obj(["name"], {"name": text(100, 1), "phone": text(30), "email": text(254), "role": text(100)})

SUPPLIER_REGISTER_V1 = obj(
    ["registration_id", "supplier_id", "company_name", "uscc", "legal_representative", "address", "contacts",
     "submitted_at", "files"],
    {
        "registration_id": UUID_HEX,
        "supplier_id": UUID_HEX,
        "company_name": text(200, 1),
        "uscc": USCC,
        "legal_representative": text(100, 1),
        "address": text(300, 1),
        "business_scope": text(2000),
        "contacts": {"type": "array", "minItems": 1, "maxItems": 10, "items": CONTACT},
        "submitted_at": DATETIME,
        "files": {"type": "array", "maxItems": 10, "items": DOCUMENT},
    },
)

SUPPLIER_REVIEW_V1 = obj(
    ["registration_id", "supplier_id", "decision", "note", "reviewed_at", "disclosure"],
    {
        "registration_id": UUID_HEX,
        "supplier_id": UUID_HEX,
        "decision": {"enum": ["approved", "rejected"]},
        "note": text(2000),
        "reviewed_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

# A part is named by its file and position; its bytes are covered by the package manifest's hash.
PART = obj(["file", "part", "size"], {
    "file": {"type": "integer", "minimum": 0, "maximum": 50},  # 0 is the bid form (price), 1.. the files
    "part": {"type": "integer", "minimum": 0, "maximum": 10000},
    "size": {"type": "integer", "minimum": 1},
})

BID_PARTS_V1 = obj(
    ["bid_id", "version", "tender_id", "parts"],
    {"bid_id": UUID_HEX, "version": {"type": "integer", "minimum": 1}, "tender_id": DOC_ID,
     "parts": {"type": "array", "minItems": 1, "maxItems": 8, "items": PART}},
)

SEALED_FILE = obj(["index", "name", "size", "sha256", "media_type", "parts"], {
    "index": {"type": "integer", "minimum": 0, "maximum": 50},
    "name": text(255, 1),
    "size": {"type": "integer", "minimum": 0},
    "sha256": HEX64,  # of the plaintext, as in the supplier's receipt
    "media_type": text(200, 1),
    "parts": {"type": "integer", "minimum": 1, "maximum": 10000},  # how many encrypted parts, in order
})

BID_SEALED_V1 = obj(
    ["bid_id", "version", "tender_id", "lot", "supplier", "submitted_at", "key_fingerprint", "form", "files",
     "receipt", "receipt_signature"],
    {
        "bid_id": UUID_HEX,
        "version": {"type": "integer", "minimum": 1},
        "tender_id": DOC_ID,
        "lot": LOT_NUMBER,
        "supplier": obj(["supplier_id", "company_name", "uscc"],
                        {"supplier_id": UUID_HEX, "company_name": text(200, 1), "uscc": USCC}),
        "submitted_at": DATETIME,
        "key_fingerprint": FPR,
        "form": SEALED_FILE,
        "files": {"type": "array", "minItems": 1, "maxItems": 20, "items": SEALED_FILE},
        # The receipt given to the supplier, and the extranet's detached signature over its canonical JSON.
        "receipt": {"type": "object"},
        "receipt_signature": {"type": "string", "maxLength": 4000, "pattern": "^[A-Za-z0-9+/=]+$"},
    },
)

BID_WITHDRAW_V1 = obj(
    ["bid_id", "version", "tender_id", "withdrawn_at"],
    {"bid_id": UUID_HEX, "version": {"type": "integer", "minimum": 1}, "tender_id": DOC_ID,
     "withdrawn_at": DATETIME},
)

BID_CLOSING_V1 = obj(
    ["tender_id", "bid_deadline", "closed_at", "bids"],
    {
        "tender_id": DOC_ID,
        "bid_deadline": DATETIME,
        "closed_at": DATETIME,
        # The bids in force at the deadline: the last version of each, withdrawn ones left out.
        "bids": {"type": "array", "maxItems": 5000,
                 "items": obj(["bid_id", "version"], {"bid_id": UUID_HEX, "version": {"type": "integer",
                                                                                      "minimum": 1}})},
        "withdrawn": {"type": "integer", "minimum": 0},
    },
)

OPENED_BID = obj(["bid_id", "supplier_name", "uscc", "lot", "price", "status", "anomalies"], {
    "bid_id": UUID_HEX,
    "supplier_name": text(200, 1),
    "uscc": USCC,
    "lot": LOT_NUMBER,
    "price": {"anyOf": [MONEY, {"type": "null"}]},
    "status": {"enum": ["valid", "invalid"]},
    "anomalies": {"type": "array", "maxItems": 50, "items": text(500)},
    "files": {"type": "integer", "minimum": 0},
})

OPENING_RECORD_V1 = obj(
    ["tender_id", "opened_at", "opened_by", "bids", "withdrawn", "published_at", "disclosure"],
    {
        "tender_id": DOC_ID,
        "opened_at": DATETIME,
        "opened_by": text(200, 1),
        "bids": {"type": "array", "maxItems": 5000, "items": OPENED_BID},
        "withdrawn": {"type": "integer", "minimum": 0},
        "notes": text(4000),
        "published_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

AWARD_NOTICE_V1 = obj(
    ["tender_id", "published_at", "awards", "disclosure"],
    {
        "tender_id": DOC_ID,
        "published_at": DATETIME,
        "awards": {"type": "array", "minItems": 1, "maxItems": 50, "items": obj(
            ["lot", "bid_id", "supplier_name", "uscc", "amount"],
            {"lot": LOT_NUMBER, "bid_id": UUID_HEX, "supplier_name": text(200, 1), "uscc": USCC, "amount": MONEY,
             "score": {"anyOf": [text(20), {"type": "null"}]}})},
        # Every opened bid and its outcome, so each supplier can see its own status.
        "results": {"type": "array", "maxItems": 5000, "items": obj(
            ["bid_id", "outcome"], {"bid_id": UUID_HEX, "outcome": {"enum": ["awarded", "not_awarded", "invalid"]},
                                    "rank": {"anyOf": [{"type": "integer"}, {"type": "null"}]}})},
        "notes": text(4000),
        "disclosure": PUBLIC_ONLY,
    },
)

# OCDS amounts are JSON numbers, which message bodies (integers only) cannot carry: the release and
# the compiled record travel as two JSON attachments, release.json then record.json.
OCDS_RELEASE_V1 = obj(
    ["tender_id", "ocid", "release_id", "date", "disclosure"],
    {"tender_id": DOC_ID, "ocid": text(200, 1), "release_id": text(200, 1), "date": DATETIME,
     "disclosure": PUBLIC_ONLY},
)


# The termination notice (终止公告) of a tender: 终止 (terminated) or 废标 (all bids rejected).
TENDER_CANCEL_V1 = obj(
    ["tender_id", "kind", "title", "reason", "published_at", "disclosure"],
    {"tender_id": DOC_ID, "kind": {"enum": ["terminated", "failed"]}, "title": text(500, 1),
     "reason": text(4000, 1), "published_at": DATETIME, "disclosure": {"const": "public"}},
)


def _public_only(body: dict, classification: str) -> str | None:
    if classification != "public" or body.get("disclosure", "public") != "public":
        return "only procurement records released to the public may be published"
    return None


def _define(name: str, schema: dict, channel: str, description: str, max_attachments: int = 0,
            public: bool = False) -> None:
    registry.register(name, 1, schema=schema, channels=[channel], max_attachments=max_attachments,
                      classification_check=_public_only if public else None, description=description)


_define("procurement.tender.publish", TENDER_PUBLISH_V1, "to-extranet",
        "A tender notice with its documents and the tender's bid-opening public key.", 20, public=True)
_define("procurement.tender.amend", AMENDMENT_V1, "to-extranet",
        "An amendment (更正公告) of a published tender, with its documents.", 20, public=True)
_define("procurement.tender.cancel", TENDER_CANCEL_V1, "to-extranet",
        "A tender's termination notice (终止公告); bids are no longer accepted.", public=True)
_define("procurement.tender.deadline_extended", DEADLINE_EXTENDED_V1, "to-extranet",
        "A bid deadline extension; the extranet notifies the registered bidders.", public=True)
_define("procurement.clarification.answer", ANSWER_V1, "to-extranet",
        "A published clarification (答疑), without the asker's identity.", public=True)
_define("procurement.supplier.review", SUPPLIER_REVIEW_V1, "to-extranet",
        "The result of the review of a supplier registration.", public=True)
_define("procurement.opening.record", OPENING_RECORD_V1, "to-extranet",
        "The bid opening record (开标记录): bidders, prices, anomalies.", public=True)
_define("procurement.award.notice", AWARD_NOTICE_V1, "to-extranet", "The award notice (中标公告).", public=True)
_define("procurement.ocds.release", OCDS_RELEASE_V1, "to-extranet",
        "The tender's latest OCDS 1.1 release and its compiled record (two JSON attachments).", 2, public=True)
_define("procurement.clarification.question", QUESTION_V1, "to-intranet",
        "A supplier's clarification question (the asker stays on the extranet).")
_define("procurement.supplier.register", SUPPLIER_REGISTER_V1, "to-intranet",
        "A supplier registration with its qualification files, for review.", 10)
_define("procurement.bid.parts", BID_PARTS_V1, "to-intranet",
        "Encrypted parts of a sealed bid's files (OpenPGP, to the tender's bid-opening key).", 8)
_define("procurement.bid.sealed", BID_SEALED_V1, "to-intranet",
        "A sealed bid: which encrypted parts make up its files, and the signed receipt.")
_define("procurement.bid.withdraw", BID_WITHDRAW_V1, "to-intranet", "A bid withdrawn before the deadline.")
_define("procurement.bid.closing", BID_CLOSING_V1, "to-intranet",
        "After the bid deadline: the list of bids in force, so that opening waits for all of them.")
