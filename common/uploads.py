"""Validation of uploaded files by their content, not their name."""

from __future__ import annotations

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Media types accepted for documents, by content. Office formats sniff as their own types
# with libmagic; OFD (the Chinese fixed-layout standard) is a zip container.
DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
}
SNIFF_BYTES = 8192


def sniff(head: bytes) -> str:
    return magic.from_buffer(head, mime=True)


def validate_upload(uploaded, allowed: set[str] | None = None, max_bytes: int | None = None) -> str:
    """Check size and sniffed type of an ``UploadedFile``; return the media type."""
    allowed = allowed or DOCUMENT_TYPES
    max_bytes = max_bytes or settings.JINCAI_MAX_UPLOAD_BYTES
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("The file “%(name)s” is too large (%(size).1f MB); the limit is %(limit).0f MB."),
            code="file_too_large",
            params={"name": uploaded.name, "size": uploaded.size / 1048576, "limit": max_bytes / 1048576},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty."), code="file_empty", params={"name": uploaded.name})
    pos = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    media_type = sniff(uploaded.read(SNIFF_BYTES))
    uploaded.seek(pos)
    if media_type not in allowed:
        raise ValidationError(
            _("The file “%(name)s” is of a type that is not accepted (%(type)s)."),
            code="file_type",
            params={"name": uploaded.name, "type": media_type},
        )
    return media_type
