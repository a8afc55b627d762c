"""Two approvers pressing "approve" at the same moment queue the publication once (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from exchange.models import OutboundItem
from intranet.publishing import services
from intranet.publishing.models import Publication
from tests.intranet.publishing.conftest import _grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_approvals_queue_one_message(desk, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    author, reviewer, approver = desk
    second = _grant(make_user("approver2", is_staff=True)[0], "publishing.approve_publication")
    pub = services.create(author, kind="policy", title="办法", written_on=date(2026, 1, 1), body="<p>x</p>")
    pub = services.review(services.submit(pub, author), reviewer, accept=True)
    barrier, outcomes = threading.Barrier(2), []

    def approve(user):
        try:
            barrier.wait()
            services.approve(Publication.objects.get(pk=pub.pk), user)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert OutboundItem.objects.filter(ref=pub.document_id).count() == 1
    assert Publication.objects.get(pk=pub.pk).revision == 1
