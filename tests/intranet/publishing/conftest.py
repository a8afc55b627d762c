from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission


def _grant(user, *perms):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


@pytest.fixture
def desk(make_user):
    """An author, a reviewer (科长) and an approver (局领导) who may each do only their step."""
    author = _grant(make_user("author", is_staff=True)[0], "publishing.add_publication",
                    "publishing.change_publication", "publishing.view_publication", "wagtailadmin.access_admin")
    reviewer = _grant(make_user("reviewer", is_staff=True)[0], "publishing.review_publication",
                      "publishing.view_publication", "publishing.add_publication", "wagtailadmin.access_admin")
    approver = _grant(make_user("approver", is_staff=True)[0], "publishing.approve_publication",
                      "publishing.view_publication", "wagtailadmin.access_admin")
    Group.objects.get_or_create(name="unused")
    return author, reviewer, approver
