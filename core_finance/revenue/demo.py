"""Revenue demo (idempotent): the tax revenue codes, two full past years and this year to date
imported through the documented CSV format, this year's budget per code, and last month's
figures queued for the portal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from core_finance.revenue import portal, services, taxsim
from core_finance.revenue.models import RevenueBudget, RevenueCode, RevenuePublication, RevenueRecord
from core_finance.services.base import today

VIEW = ["view_revenuerecord", "view_revenuecode", "view_revenuebudget", "view_importbatch"]
ROLE_PERMS = {"科员": VIEW + ["import_revenuerecord", "add_revenuebudget", "change_revenuebudget"],
              "科长": VIEW + ["import_revenuerecord", "add_revenuebudget", "change_revenuebudget",
                             "add_revenuecode", "change_revenuecode", "publish_revenuefigures"],
              "局领导": VIEW + ["publish_revenuefigures"], "审计员": VIEW}


def grant() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_revenue",
                                                         codename__in=codenames))


def load_demo():
    grant()
    services.load_codes()
    if RevenueRecord.objects.exists():
        return None
    clerk = get_user_model().objects.get(username="wangfang")
    year = today().year
    data = taxsim.to_csv(taxsim.rows([year - 2, year - 1, year], today() - dt.timedelta(days=1)))
    services.import_file(data, f"税收入库明细_{year - 2}-{year}.csv", clerk)
    for code in RevenueCode.objects.all():
        if code.code in taxsim.BASE and not RevenueBudget.objects.filter(year=year, code=code).exists():
            amount = (Decimal(taxsim.BASE[code.code]) * 1000000 * Decimal("1.1025") * Decimal("1.06")).quantize(
                Decimal("0.01"))
            services.set_budget(year, code, amount, clerk)
    if not RevenuePublication.objects.exists():
        # Last month's figures are on the portal, as the bureau publishes them monthly.
        leader = get_user_model().objects.get(username="liuyang")
        portal.publish(today().replace(day=1) - dt.timedelta(days=1), leader)
    return None
