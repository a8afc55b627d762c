import pytest
from django.contrib.auth.models import Permission


def with_debt_perms(user, role):
    from django.contrib.auth import get_user_model

    from core_finance.debt.demo import ROLE_PERMS

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="finance_debt",
                                                         codename__in=ROLE_PERMS[role]))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def dclerk(clerk):
    return with_debt_perms(clerk, "科员")


@pytest.fixture
def dchief(chief):
    return with_debt_perms(chief, "科长")


@pytest.fixture
def debt_codes(codes):
    from core_finance.debt.codes import debt_codes_csv
    from core_finance.services.codes import load_codes

    load_codes(debt_codes_csv(2026))


@pytest.fixture
def service_indicator(debt_codes, make_indicator, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    return make_indicator("10000000.00", econ="30701", func="2320301")
