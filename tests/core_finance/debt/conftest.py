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
    """The debt interest indicator (functional class 232)."""
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    return make_indicator("10000000.00", econ="30701", func="2320301")


@pytest.fixture
def principal_indicator(debt_codes, make_indicator, settings):
    """The debt principal indicator (functional class 231)."""
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    return make_indicator("20000000.00", econ="39999", func="2310301")


@pytest.fixture
def from_budget(principal_indicator, service_indicator):
    """The keyword arguments of a repayment from the budget on both debt-service indicators."""
    return {"source": "budget", "principal_indicator": principal_indicator, "interest_indicator": service_indicator}


@pytest.fixture
def township_user(db, make_user):
    """Staff of a township (乡镇) with every permission of a module: the module is still closed to them."""
    from core_finance.models import DivisionMembership, FiscalDivision

    def make(app_label, username="town_staff"):
        home = FiscalDivision.home()
        town = FiscalDivision.objects.create(code="610326100", name="首善镇", level="township", parent=home)
        user, password, device = make_user(username, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label=app_label) |
                                  Permission.objects.filter(codename="access_admin"))
        DivisionMembership.objects.create(user=user, division=town)
        return type(user).objects.get(pk=user.pk), password, device

    return make
