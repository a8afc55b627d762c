"""Building blocks for message schemas."""

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
DOC_ID = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$"}
FPR = {"type": "string", "pattern": "^[0-9A-F]{40}$"}
HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


def text(max_length: int, min_length: int = 0) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


def obj(required: list[str], properties: dict) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "additionalProperties": False, "required": required, "properties": properties}
