import pytest
from django.contrib.auth.models import Permission


def with_asset_perms(user, role):
    from django.contrib.auth import get_user_model

    from core_finance.assets.demo import ROLE_PERMS

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="finance_assets",
                                                         codename__in=ROLE_PERMS[role]))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def aclerk(clerk):
    return with_asset_perms(clerk, "科员")


@pytest.fixture
def achief(chief):
    return with_asset_perms(chief, "科长")


@pytest.fixture
def cats(db):
    from core_finance.assets.models import AssetCategory
    from core_finance.assets.services import load_categories

    load_categories()
    return {c.code: c for c in AssetCategory.objects.all()}


@pytest.fixture
def paid_payment(make_indicator, pay, chief, settings):
    """A payment on 31002 (office equipment, a capital code) paid through the simulated agent bank."""
    from core_finance import banksim
    from core_finance.services import bank, payments

    settings.JINCAI_FINANCE_PAYMENT_PLANS = False

    def make(amount="100000.00", econ="31002"):
        ind = make_indicator("500000.00", econ=econ)
        app = pay(ind, amount)
        payments.approve(app, chief)
        out = bank.export_payment_file("ICBC", chief)
        result, statement = banksim.simulate(out.content)
        bank.import_bank_file(result.encode(), f"r{app.pk}.csv", chief)
        bank.import_bank_file(statement.encode(), f"s{app.pk}.csv", chief)
        app.refresh_from_db()
        return app

    return make
