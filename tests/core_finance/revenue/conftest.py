import pytest
from django.contrib.auth.models import Permission


def with_revenue_perms(user, role):
    from django.contrib.auth import get_user_model

    from core_finance.revenue.demo import ROLE_PERMS

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="finance_revenue",
                                                         codename__in=ROLE_PERMS[role]))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def rclerk(clerk):
    from core_finance.revenue.services import load_codes

    load_codes()
    return with_revenue_perms(clerk, "科员")


def csv_file(*rows, header="入库日期,收入科目编码,征收机关,金额") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


from tests.core_finance.debt.conftest import township_user  # noqa: E402, F401  (a township's staff)
