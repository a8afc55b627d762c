"""JSON Schema validation that is cheap enough to run on every message at export and again at import.

Every manifest and message body is checked against its schema twice (at export, by the sender,
and at import, by the receiver, which cannot trust the sender). The fast path is jsonschema-rs
(compiled once per schema); only when it finds a problem does the reference implementation
(``jsonschema``) run, to name the problem as before. In the corners where the two differ the fast
validator is the stricter one (e.g. ``$`` never matches before a final newline), and a document
either of them refuses is refused.
"""

from __future__ import annotations

import jsonschema_rs
from jsonschema import Draft202012Validator


class SchemaValidator:
    def __init__(self, schema: dict):
        Draft202012Validator.check_schema(schema)
        self.reference = Draft202012Validator(schema)
        self.fast = jsonschema_rs.validator_for(schema, validate_formats=False)

    def problem(self, instance) -> str | None:
        """None when ``instance`` is valid, else where and what the (first) problem is."""
        if self.fast.is_valid(instance):
            return None
        error = next(iter(self.reference.iter_errors(instance)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            return f"{where}: {error.message[:200]}"
        fast_error = next(iter(self.fast.iter_errors(instance)))
        where = "/".join(str(p) for p in fast_error.instance_path) or "(root)"
        return f"{where}: {fast_error.message[:200]}"

    def iter_errors(self, instance):
        """The reference implementation's errors (for callers that want all of them)."""
        return self.reference.iter_errors(instance)
