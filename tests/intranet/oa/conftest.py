"""A small bureau for the OA tests: departments, roles with the OA permissions, staff."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import current_token

# The exchange's fixtures: real GnuPG keys and a private exchange state per test.
from tests.exchange_support import keyhomes, xenv  # noqa: F401

# Search: queued index updates run in-process, and an index of this process's own on OpenSearch.
from tests.search.fixtures import _isolated_search_index, celery_eager  # noqa: F401

DEPARTMENTS = {"BGS": "办公室", "YSK": "预算科", "GKK": "国库科", "CGB": "政府采购办"}
PEOPLE = [  # username, department, roles
    ("zhangwei", "BGS", ["科员"]), ("lina", "BGS", ["科长"]), ("wangfang", "YSK", ["科员"]),
    ("sunli", "YSK", ["科长"]), ("zhaolei", "GKK", ["科长"]), ("qianmin", "GKK", ["科员"]),
    ("zhoujie", "CGB", ["科长"]), ("liuyang", None, ["局领导"]), ("chenjing", None, ["审计员"]),
]


@pytest.fixture
def bureau(db, make_user, settings):
    # Scrypt hashing of nine passwords would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from common import demo
    from common.accounts.models import Department
    from intranet.oa.demo import grant_permissions

    demo.ensure_departments(DEPARTMENTS)
    demo.ensure_roles({role: [demo.ADMIN_ACCESS] for role in ("科员", "科长", "局领导", "审计员")})
    grant_permissions()
    people, devices = {}, {}
    for username, dept, roles in PEOPLE:
        department = Department.objects.get(code=dept) if dept else None
        user, _, device = make_user(username, display_name=username, department=department, is_staff=True)
        groups = list(Group.objects.filter(name__in=roles))
        if department:
            groups.append(department.group)
        user.groups.set(groups)
        people[username], devices[username] = user, device
    # Backup codes let the fixtures sign many documents within one TOTP time step.
    backup = StaticDevice.objects.create(user=people["liuyang"], name="backup", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=f"bk{n:06d}") for n in range(200))
    return SimpleNamespace(**people, devices=devices, dept={c: Department.objects.get(code=c) for c in DEPARTMENTS})


def fresh(user):
    """The same user without cached permissions (after group changes)."""
    return type(user).objects.get(pk=user.pk)


def otp(bureau, username: str) -> str:
    """A one-time password that has not been used yet (a backup code for the leader, else TOTP)."""
    from django_otp.plugins.otp_static.models import StaticToken

    token = StaticToken.objects.filter(device__user__username=username).order_by("token").first()
    return token.token if token else current_token(bureau.devices[username])


BODY = "为做好预算编制工作，现将有关事项通知如下。\n一、工作要求\n请按时报送。"


@pytest.fixture
def draft(bureau):
    from intranet.oa.services.documents import create_draft

    def make(**fields):
        values = {"title": "关于报送部门预算编制材料的通知", "doc_type": "notice", "main_recipients": "局属各单位",
                  "body": BODY, **fields}
        return create_draft(bureau.zhangwei, **values)

    return make


@pytest.fixture
def signed(bureau, draft):
    """A notice taken through review and countersigning up to signed."""
    from intranet.oa.workflow import transition

    def make(**fields):
        doc = draft(**fields)
        doc = transition(doc, "submit", bureau.zhangwei)
        doc = transition(doc, "review_pass", bureau.lina)
        return transition(doc, "sign", bureau.liuyang, otp=otp(bureau, "liuyang"))

    return make


@pytest.fixture
def issued(bureau, signed):
    from intranet.oa.workflow import transition

    def make(**fields):
        doc = signed(**fields)
        doc = transition(doc, "assign_number", bureau.zhangwei)
        return transition(doc, "issue", bureau.zhangwei)

    return make
