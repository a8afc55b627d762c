"""The publishing desk screens in the Wagtail admin, driven by three staff members with OTP."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from exchange.models import OutboundItem
from intranet.publishing import services
from intranet.publishing.models import Publication
from tests.intranet.publishing.conftest import _grant

pytestmark = pytest.mark.django_db


def _login(make_user, otp_login, name, *perms):
    user, password, device = make_user(name, is_staff=True)
    _grant(user, "wagtailadmin.access_admin", "publishing.view_publication", *perms)
    client = Client()
    otp_login(client, name, password, device, "/admin/")
    return user, client


def test_author_reviewer_and_approver_through_the_screens(make_user, otp_login):
    author, a = _login(make_user, otp_login, "a1", "publishing.add_publication", "publishing.change_publication")
    reviewer, r = _login(make_user, otp_login, "r1", "publishing.review_publication")
    approver, p = _login(make_user, otp_login, "p1", "publishing.approve_publication")
    assert a.get("/admin/publishing/publications/").status_code == 200
    assert a.get("/admin/publishing/publications/new/").status_code == 200
    pub = services.create(author, kind="news", title="财政工作动态", body="<p>正文</p>")
    page = a.get(f"/admin/publishing/{pub.pk}/").content.decode()
    assert f"/admin/publishing/{pub.pk}/submit/" in page
    # Nobody but the author may edit; the reviewer is sent to the read-only page.
    assert r.get(f"/admin/publishing/publications/edit/{pub.pk}/").status_code == 302
    a.post(f"/admin/publishing/{pub.pk}/submit/")
    assert Publication.objects.get(pk=pub.pk).status == "submitted"
    a.post(f"/admin/publishing/{pub.pk}/review/", {"decision": "accept"})  # the author may not review
    assert Publication.objects.get(pk=pub.pk).status == "submitted"
    assert "审核（第一步）" in r.get(f"/admin/publishing/{pub.pk}/").content.decode()
    r.post(f"/admin/publishing/{pub.pk}/review/", {"decision": "accept", "note": "同意"})
    assert Publication.objects.get(pk=pub.pk).status == "reviewed"
    p.post(f"/admin/publishing/{pub.pk}/approve/", {"decision": "accept"})
    assert Publication.objects.get(pk=pub.pk).status == "published"
    assert OutboundItem.objects.filter(message_type="portal.article.publish", ref=pub.document_id).count() == 1


def test_a_get_never_changes_anything(make_user, otp_login):
    author, a = _login(make_user, otp_login, "a2", "publishing.add_publication")
    pub = services.create(author, kind="policy", title="办法", written_on=date(2026, 1, 1), body="<p>x</p>")
    assert a.get(f"/admin/publishing/{pub.pk}/submit/").status_code == 405
    assert Publication.objects.get(pk=pub.pk).status == "draft"
