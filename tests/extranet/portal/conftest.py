"""Helpers for the portal tests: apply exchange messages through the registered handlers."""

from __future__ import annotations

import uuid

import pytest

from exchange import registry


def apply(message_type: str, body: dict, version: int = 1, attachments=(), channel: str = "to-extranet"):
    """Check the body against its schema exactly as import does, then run the registered handler."""
    mt = registry.check_message(message_type, version, body, channel, "public", len(attachments))
    assert not mt.apply_is_default, f"{message_type} v{version} has no handler of the portal"
    ctx = registry.ApplyContext(channel=channel, package_uuid=str(uuid.uuid4()), seq=1, signer="A" * 40,
                                item_index=0, is_last_item=True, message_type=message_type, version=version,
                                classification="public", ref="", body=registry.sanitized(mt, body),
                                attachments=list(attachments), trusted=True)
    mt.apply(ctx)
    return ctx


def policy_body(document_id="P-1", revision=1, **extra) -> dict:
    body = {"document_id": document_id, "revision": revision, "title": "关于加快宝鸡市财政信息化及金财工程建设的实施意见",
            "doc_number": "宝市财办信〔2009〕8号", "issuer": "宝鸡市财政局办公室", "issued_on": "2009-08-24",
            "validity": "valid", "category": "财政信息化", "summary": "实施意见摘要", "body_html": "<p>财政信息化建设。</p>",
            "interprets": None, "attachment_titles": [], "disclosure": "public",
            "published_at": "2026-11-30T10:00:00+08:00", "document_type": "实施意见", "topic": "财政信息化",
            "supersedes": None}
    body.update(extra)
    return body


@pytest.fixture
def portal(db, settings, tmp_path):
    from django.core.cache import cache

    # Parallel test processes share the data dir: each test gets its own cache generation marker.
    settings.JINCAI_PORTAL_CACHE_MARKER = str(tmp_path / "portal-cache-generation")

    from extranet.portal import cache as page_cache
    from extranet.portal import tree

    cache.clear()
    page_cache.reset()
    return tree.ensure_tree()


@pytest.fixture
def staff_superuser_client(make_user, client, otp_login):
    user, password, device = make_user("portaladmin", is_staff=True, is_superuser=True)
    otp_login(client, user.username, password, device, "/admin/")
    return client
