"""Messages for the public portal (intranet -> extranet)."""

import re

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
    return _no_secrecy_mark(body)


# A classified document (密级) carries its mark in the GB/T 9704 form 秘密★1年 / 机密 / 绝密 and
# must never reach the extranet, whatever classification the sender declared.
_SECRECY_MARK = re.compile(r"(绝密|机密|秘密)\s*(★|[（(]?\d+年)|(^|>)\s*(绝密|机密|秘密)\s*(<|$)", re.MULTILINE)
_MARKED_FIELDS = ("title", "doc_number", "summary", "body_html")


def _no_secrecy_mark(body: dict) -> str | None:
    for name in _MARKED_FIELDS:
        value = body.get(name)
        # Every mark has 密 in it: a text without one is clean, and the regular expression (which
        # tries its alternatives at every position) is for the texts that have one.
        if isinstance(value, str) and "密" in value and _SECRECY_MARK.search(value):
            return f"{name} carries a classification mark (密级); classified documents are never published"
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


# --- Portal records added for the public site (additive; v1 above is unchanged) ---------------

PUBLIC_ONLY = {"const": "public"}

# v2 adds what the policy library shows: document type, topic, the version it replaces.
POLICY_PUBLISH_V2 = obj(
    ["document_id", "revision", "title", "doc_number", "issuer", "issued_on", "body_html", "disclosure"],
    {
        **POLICY_PUBLISH_V1["properties"],
        "document_type": text(50),  # 公文种类: 意见, 通知, 办法 ...
        "topic": text(100),
        "supersedes": {"anyOf": [DOC_ID, {"type": "null"}]},
    },
)

ARTICLE_PUBLISH_V1 = obj(
    ["document_id", "revision", "kind", "title", "issuer", "body_html", "published_at", "disclosure"],
    {
        "document_id": DOC_ID,
        "revision": {"type": "integer", "minimum": 1},
        "kind": {"enum": ["news", "notice", "tender", "award"]},
        "title": text(500, 1),
        "doc_number": text(100),
        "issuer": text(200, 1),
        "summary": text(4000),
        "body_html": text(2_000_000),
        "attachment_titles": {"type": "array", "maxItems": 20, "items": text(255)},
        "published_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

_CELL = {"anyOf": [text(500), {"type": "null"}]}
DATASET_PUBLISH_V1 = obj(
    ["document_id", "revision", "title", "kind", "fiscal_year", "issuer", "columns", "rows", "published_at",
     "disclosure"],
    {
        "document_id": DOC_ID,
        "revision": {"type": "integer", "minimum": 1},
        "title": text(500, 1),
        "kind": {"enum": ["budget", "final_accounts", "other"]},
        "fiscal_year": {"type": "integer", "minimum": 1990, "maximum": 2100},
        "issuer": text(200, 1),
        "unit": text(20),
        "description": text(4000),
        # Amounts travel as decimal strings, never floats.
        "columns": {"type": "array", "minItems": 1, "maxItems": 30,
                    "items": obj(["key", "label"], {"key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,30}$"},
                                                    "label": text(100, 1),
                                                    "numeric": {"type": "boolean"}})},
        "rows": {"type": "array", "maxItems": 5000,
                 "items": {"type": "array", "maxItems": 30, "items": _CELL}},
        "chart": obj([], {"type": {"enum": ["bar", "pie", "line"]}, "label_column": text(31),
                          "value_columns": {"type": "array", "maxItems": 6, "items": text(31)}}),
        "published_at": DATETIME,
        "disclosure": PUBLIC_ONLY,
    },
)

registry.register("portal.policy.publish", 2, schema=POLICY_PUBLISH_V2, channels=["to-extranet"],
                  classification_check=_public_only, html_fields=("body_html",), apply=store_record, default=True,
                  description="Publish a policy document (v2: document type, topic, superseded version).")
registry.register("portal.article.publish", 1, schema=ARTICLE_PUBLISH_V1, channels=["to-extranet"],
                  classification_check=_public_only, html_fields=("body_html",), apply=store_record, default=True,
                  description="Publish a news item, notice, tender or award notice on the portal.")
registry.register("portal.dataset.publish", 1, schema=DATASET_PUBLISH_V1, channels=["to-extranet"],
                  classification_check=_public_only, apply=store_record, default=True,
                  description="Publish a budget or final-accounts disclosure dataset (table and chart).")
