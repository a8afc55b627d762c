"""The message type the finance core sends to the extranet: a disclosure dataset (v1).

Pure schema data, importing only the exchange's schema building blocks, so that the same
definition can live in ``exchange.messages`` for the extranet to accept it.
"""

from exchange import registry
from exchange.messages.common import DATETIME, DOC_ID, obj, text

DISCLOSURE_DATASET_V1 = obj(
    ["dataset_id", "agency_code", "agency_name", "year", "kind", "revision", "title", "datapackage", "files",
     "disclosure"],
    {
        "dataset_id": DOC_ID,
        "agency_code": text(20, 1),
        "agency_name": text(200, 1),
        "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "kind": {"enum": ["budget", "final"]},
        "revision": {"type": "integer", "minimum": 1},
        "title": text(200, 1),
        # The Fiscal Data Package descriptor (datapackage.json).
        "datapackage": {"type": "object", "required": ["name", "resources"]},
        # CSV text of each resource, by the resource's path.
        "files": {"type": "object", "maxProperties": 30,
                  "patternProperties": {r"^table-\d{2}\.csv$": text(2_000_000)}, "additionalProperties": False},
        "disclosure": {"const": "public"},
        "published_at": DATETIME,
    },
)


def _public_only(body: dict, classification: str) -> str | None:
    if classification != "public" or body.get("disclosure") != "public":
        return "only datasets released to the public may be published"
    return None


if registry.get("finance.disclosure.dataset", 1) is None:
    registry.register("finance.disclosure.dataset", 1, schema=DISCLOSURE_DATASET_V1, channels=["to-extranet"],
                      classification_check=_public_only,
                      description="Publish a department budget or final-accounts dataset on the portal.")
