"""A small office for the internal website tests: departments (one with a sub-department), an author,
readers in each department and a leader who may see every read receipt."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

DEPARTMENTS = {"BGS": "办公室", "YSK": "预算科", "GKK": "国库科"}
PEOPLE = [  # username, department, extra permissions
    ("lina", "BGS", ["add_notice", "change_notice", "view_notice"]),
    ("wangfang", "YSK", []), ("xiaoyu", "YSK1", []), ("zhaolei", "GKK", []),
    ("liuyang", None, ["view_notice", "view_all_receipts"]),
]


@pytest.fixture
def office(db, make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth.models import Group, Permission

    from common import demo
    from common.accounts.models import Department

    demo.ensure_departments(DEPARTMENTS)
    group, _ = Group.objects.get_or_create(name="预算科一股")
    Department.objects.get_or_create(code="YSK1", defaults={"name": "预算科一股", "group": group,
                                                            "parent": Department.objects.get(code="YSK")})
    people, devices = {}, {}
    for username, dept, perms in PEOPLE:
        department = Department.objects.get(code=dept) if dept else None
        user, _pw, device = make_user(username, display_name=username, department=department, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="intranet_website",
                                                            codename__in=perms))
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        people[username], devices[username] = type(user).objects.get(pk=user.pk), device
    return SimpleNamespace(**people, devices=devices,
                           dept={c: Department.objects.get(code=c) for c in [*DEPARTMENTS, "YSK1"]})


@pytest.fixture
def as_user(client, otp_login, office):
    def login(username):
        client.logout()
        otp_login(client, username, "Correct-Horse-42", office.devices[username])
        return client

    return login


@pytest.fixture
def publish(office):
    """Publish an item as its author through the service the admin screens use."""
    from intranet.website import services
    from intranet.website.models import Notice

    def make(title="关于报送预算执行分析的通知", departments=None, required=False, published=True, kind="notice"):
        notice = Notice.objects.create(kind=kind, title=title, body="<p>请按时报送。</p>", author=office.lina,
                                       audience_all=departments is None, required_reading=required,
                                       is_published=published)
        if departments:
            notice.departments.set([office.dept[d] for d in departments])
            notice.save()  # a ParentalManyToManyField is written when its owner is saved
        return services.saved(notice, office.lina, created=True)

    return make
