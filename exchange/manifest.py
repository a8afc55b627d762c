"""The manifest: its JSON schema, names and time format. See docs/exchange-format.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from exchange.schemas import SchemaValidator

FORMAT = "jincai-exchange/1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
ZERO_HASH = "0" * 64
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

PATH_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,31}(/[a-z0-9][a-z0-9._-]{0,31}){0,3}$"
PATH_RE = re.compile(PATH_PATTERN)
MAX_PATH = 99
_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_FPR = {"type": "string", "pattern": "^[0-9A-F]{40}$"}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
_UINT = {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}

FILE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "role", "media_type", "size", "sha256"],
    "properties": {
        "path": {"type": "string", "pattern": PATH_PATTERN, "maxLength": MAX_PATH},
        "role": {"enum": ["message", "attachment"]},
        "media_type": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$", "maxLength": 127},
        "size": _UINT,
        "sha256": _HEX64,
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "plain_size": _UINT,
        "plain_sha256": _HEX64,
    },
}

ITEM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["index", "type", "version", "classification", "ref", "files"],
    "properties": {
        "index": _UINT,
        "type": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", "maxLength": 100},
        "version": {"type": "integer", "minimum": 1, "maximum": 1000},
        "classification": {"enum": ["public", "internal", "restricted"]},
        "ref": {"type": "string", "maxLength": 200},
        "files": {"type": "array", "minItems": 1, "maxItems": 100, "items": FILE_SCHEMA},
    },
}

MANIFEST_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "channel", "sender", "seq", "uuid", "created", "expires", "prev", "items"],
    "properties": {
        "format": {"const": FORMAT},
        "channel": {"type": "string", "pattern": "^[a-z][a-z-]{1,30}$"},
        "sender": {
            "type": "object",
            "additionalProperties": False,
            "required": ["fingerprint", "name"],
            "properties": {"fingerprint": _FPR, "name": {"type": "string", "minLength": 1, "maxLength": 100}},
        },
        "seq": {"type": "integer", "minimum": 1, "maximum": 2**53 - 1},
        "uuid": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"},
        "created": _TIME,
        "expires": _TIME,
        "prev": _HEX64,
        "encryption": {
            "type": "object",
            "additionalProperties": False,
            "required": ["scheme", "recipients"],
            "properties": {
                "scheme": {"const": "openpgp"},
                "recipients": {"type": "array", "minItems": 1, "maxItems": 8, "items": _FPR},
            },
        },
        "items": {"type": "array", "minItems": 1, "items": ITEM_SCHEMA},
    },
}

VALIDATOR = SchemaValidator(MANIFEST_SCHEMA)


def schema_problem(manifest) -> str | None:
    return VALIDATOR.problem(manifest)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: str) -> datetime:
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)


def package_file_name(channel: str, seq: int, uuid: str) -> str:
    return f"{channel}-{seq:010d}-{uuid}.jxp"


PACKAGE_NAME_RE = re.compile(
    r"^(?P<channel>[a-z][a-z-]{1,30})-(?P<seq>\d{10})-(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jxp$"
)
