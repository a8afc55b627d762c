"""Message types: their versioned schemas, the channels they may travel on, and how each side
applies them.

The schemas are shared (``exchange.messages`` defines them for both sides); an app that applies
a message type registers its handler with :func:`register`::

    from exchange import registry

    def apply_policy(ctx: registry.ApplyContext) -> None:
        ...  # runs inside the import transaction; raise to refuse the whole package

    registry.register("portal.policy.publish", 1, apply=apply_policy)

A handler registered by an app replaces the built-in default (which keeps the message as an
``exchange.ReceivedRecord``). Handlers run in the database transaction that also advances the
channel's high-water mark, so they either apply completely or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from exchange import channels as channel_defs
from exchange.errors import PackageRejected
from exchange.package import PayloadFile
from exchange.sanitize import clean_html
from exchange.schemas import SchemaValidator


@dataclass
class ApplyContext:
    channel: str
    package_uuid: str
    seq: int
    signer: str
    item_index: int
    is_last_item: bool
    message_type: str
    version: int
    classification: str
    ref: str
    body: dict
    attachments: list[PayloadFile] = field(default_factory=list)
    trusted: bool = True  # False for everything that comes from the internet side


Handler = Callable[[ApplyContext], None]
ClassificationCheck = Callable[[dict, str], "str | None"]


@dataclass
class MessageType:
    name: str
    version: int
    schema: dict
    channels: frozenset[str]
    classification_check: ClassificationCheck | None = None
    html_fields: tuple[str, ...] = ()
    apply: Handler | None = None
    apply_is_default: bool = True
    max_attachments: int = 20
    description: str = ""
    validator: SchemaValidator = field(init=False, repr=False)

    def __post_init__(self):
        self.validator = SchemaValidator(self.schema)  # compiled once per type and version

    @property
    def key(self) -> tuple[str, int]:
        return self.name, self.version


_TYPES: dict[tuple[str, int], MessageType] = {}


def register(message_type: str, schema_version: int, *, schema: dict | None = None, apply: Handler | None = None,
             channels: list[str] | None = None, classification_check: ClassificationCheck | None = None,
             html_fields: tuple[str, ...] = (), max_attachments: int = 20, description: str = "",
             default: bool = False) -> MessageType:
    """Define a message type (with ``schema`` and ``channels``) and/or attach its handler (``apply``).

    ``default=True`` marks ``apply`` as a fallback that a later registration may replace.
    """
    key = (message_type, schema_version)
    existing = _TYPES.get(key)
    if existing is None:
        if schema is None or not channels:
            raise ImproperlyConfigured(f"{message_type} v{schema_version}: schema and channels are required")
        for name in channels:
            channel_defs.get(name)
        existing = MessageType(message_type, schema_version, schema, frozenset(channels), classification_check,
                               tuple(html_fields), None, True, max_attachments, description)
        _TYPES[key] = existing
    else:
        if schema is not None and schema != existing.schema:
            raise ImproperlyConfigured(f"{message_type} v{schema_version} is already defined with another schema")
        if channels and frozenset(channels) != existing.channels:
            raise ImproperlyConfigured(f"{message_type} v{schema_version} is already defined for other channels")
        if classification_check is not None:
            existing.classification_check = classification_check
    if apply is not None:
        app_handler = existing.apply is not None and not existing.apply_is_default
        if default:
            if not app_handler:
                existing.apply, existing.apply_is_default = apply, True
        elif app_handler and existing.apply is not apply:
            raise ImproperlyConfigured(f"{message_type} v{schema_version} already has a handler")
        else:
            existing.apply, existing.apply_is_default = apply, False
    return existing


def get(message_type: str, schema_version: int) -> MessageType | None:
    return _TYPES.get((message_type, schema_version))


def all_types() -> list[MessageType]:
    return sorted(_TYPES.values(), key=lambda t: t.key)


def check_message(message_type: str, version: int, body: dict, channel: str, classification: str,
                  attachments: int = 0) -> MessageType:
    """Everything about one message that is checked at export and again at import.

    Raises :class:`PackageRejected` (codes unknown_type, schema, classification).
    """
    mt = get(message_type, version)
    if mt is None:
        raise PackageRejected("unknown_type", f"{message_type} v{version}")
    if channel not in mt.channels:
        raise PackageRejected("unknown_type", f"{message_type} v{version} may not travel on {channel}")
    allowed = channel_defs.get(channel).classifications
    if classification not in allowed:
        raise PackageRejected("classification",
                              f"{message_type}: classification {classification!r} is not allowed on {channel}")
    problem = mt.validator.problem(body)
    if problem is not None:
        raise PackageRejected("schema", f"{message_type} v{version}: {problem}")
    if attachments > mt.max_attachments:
        raise PackageRejected("schema", f"{message_type}: more than {mt.max_attachments} attachments")
    if mt.classification_check is not None:
        problem = mt.classification_check(body, classification)
        if problem:
            raise PackageRejected("classification", f"{message_type}: {problem}")
    return mt


def sanitized(mt: MessageType, body: dict) -> dict:
    if not mt.html_fields:
        return body
    out = dict(body)
    for name in mt.html_fields:
        if isinstance(out.get(name), str):
            out[name] = clean_html(out[name])
    return out
