"""Public submissions on the intranet: arrival, deadlines, assignment, reply approval, publication."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from common.accounts.models import Department
from exchange import registry
from exchange.models import OutboundItem
from intranet.consultation import services
from intranet.consultation.models import Case, add_working_days

pytestmark = pytest.mark.django_db


def _arrive(kind="question", no="ZX-2026-000001", **extra):
    body = {"submission_id": no, "kind": kind, "subject": "预算公开时间", "text": "<b>请问</b>部门预算何时公开？",
            "submitted_at": "2026-11-30T10:00:00+08:00", "contact": {"name": "张三"}, "topic": "budget",
            "wants_public": True, **extra}
    mt = registry.check_message("consultation.submission", 2, body, "to-intranet", "public")
    mt.apply(registry.ApplyContext(channel="to-intranet", package_uuid=str(uuid.uuid4()), seq=1, signer="A" * 40,
                                   item_index=0, is_last_item=True, message_type="consultation.submission",
                                   version=2, classification="public", ref="", body=body, trusted=False))
    return Case.objects.get(tracking_no=no)


def _perm(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="consultation_desk",
                                                         codename__in=codenames))
    for attr in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


@pytest.fixture
def people(make_user):
    from django.contrib.auth.models import Group

    ysk = Department.objects.create(code="YSK", name="预算科", group=Group.objects.create(name="科室:预算科"))
    office = _perm(make_user("office", is_staff=True)[0], "view_case", "assign_case")
    clerk = make_user("clerk", is_staff=True, department=ysk)[0]
    _perm(clerk, "view_case")
    chief = _perm(make_user("chief", is_staff=True, department=ysk)[0], "view_case", "approve_reply")
    return ysk, office, clerk, chief


def test_arrival_is_acknowledged_and_a_redelivery_changes_nothing(people):
    case = _arrive()
    _arrive()
    assert Case.objects.count() == 1 and case.status == "new"
    status = OutboundItem.objects.get(message_type="consultation.status")
    assert status.body["status"] == "received" and status.channel == "to-extranet"


def test_error_reports_are_due_in_three_working_days():
    friday = timezone.make_aware(datetime(2026, 11, 27, 9, 0))
    assert add_working_days(friday, 3).date().isoformat() == "2026-12-02"
    case = _arrive("error_report", "JC-2026-000002", page_url="/policies/")
    assert case.due_at.date() == add_working_days(case.received_at, 3).date()


def test_assign_reply_approve_publish(people):
    ysk, office, clerk, chief = people
    case = services.assign(_arrive(), office, ysk)
    with pytest.raises(PermissionDenied):
        services.write_reply(case, office, "答复")  # not the assigned department
    case = services.write_reply(case, clerk, "部门预算在批复后20日内公开。\n<script>x</script>")
    _perm(clerk, "approve_reply")
    with pytest.raises(PermissionDenied):
        services.approve_reply(case, clerk, publish=True)  # the writer never approves
    case = services.approve_reply(case, chief, publish=True)
    assert case.status == "replied" and case.published
    reply = OutboundItem.objects.get(message_type="consultation.reply").body
    assert reply["publish"] is True and reply["department"] == "预算科"
    assert "&lt;script&gt;" in reply["reply_html"] and "<script>" not in reply["reply_html"]
    assert [i.body["status"] for i in OutboundItem.objects.filter(message_type="consultation.status").order_by("pk")] \
        == ["received", "assigned"]


def test_a_question_the_asker_wants_private_is_never_published(people):
    ysk, office, clerk, chief = people
    case = services.assign(_arrive(wants_public=False), office, ysk)
    case = services.approve_reply(services.write_reply(case, clerk, "答复"), chief, publish=True)
    assert not case.published
    assert OutboundItem.objects.get(message_type="consultation.reply").body["publish"] is False


def test_the_staff_screen_shows_untrusted_text_escaped_and_the_deadline(people, client, otp_login, make_user):
    ysk, office, clerk, chief = people
    case = _arrive("error_report", "JC-2026-000003", page_url="/policies/")
    user, password, device = make_user("viewer", is_staff=True)
    _perm(user, "view_case")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    otp_login(client, "viewer", password, device, "/admin/")
    html = client.get(f"/admin/consultation/{case.pk}/").content.decode()
    assert "&lt;b&gt;请问&lt;/b&gt;" in html and "<b>请问</b>" not in html
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d") in html and "剩余" in html
    listing = client.get("/admin/consultation/cases/").content.decode()
    assert "JC-2026-000003" in listing
