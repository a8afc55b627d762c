"""Farmer subsidy demo (idempotent): a 耕地地力保护补贴 programme on its own indicator, twelve
households in two villages, an approved and published batch and a draft one."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core_finance.models import Agency
from core_finance.payroll.rules import with_check_digit
from core_finance.services import indicators, payments
from core_finance.subsidies.models import Household, Programme
from core_finance.subsidies.services import batches, publication

YEAR = 2026
VIEW = ["view_programme", "view_household", "view_batch"]
ROLE_PERMS = {
    "科员": VIEW + ["add_batch", "add_household", "change_household", "add_programme", "change_programme"],
    "科长": VIEW + ["approve_batch", "publish_batch"],
    "局领导": VIEW + ["approve_batch", "publish_batch"],
    "审计员": VIEW,
}
HOUSEHOLDS = [  # head, village, mu
    ("张建华", "林家村", "6.20"), ("李秀英", "林家村", "4.85"), ("王德胜", "林家村", "8.10"), ("赵桂兰", "林家村", "3.40"),
    ("刘长青", "林家村", "5.55"), ("陈玉梅", "林家村", "7.00"), ("杨振海", "马营村", "9.30"), ("黄淑芬", "马营村", "2.75"),
    ("周满仓", "马营村", "6.60"), ("吴彩霞", "马营村", "4.20"), ("郑有福", "马营村", "5.90"), ("孙红", "马营村", "3.15"),
]


def load_demo() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_subsidies",
                                                         codename__in=codenames))
    for n, (name, village, mu) in enumerate(HOUSEHOLDS):
        Household.objects.get_or_create(id_number=with_check_digit(f"6103021965{n % 12 + 1:02d}1{n}0{n % 10}"[:17]),
                                        defaults={"head_name": name, "town": "硖石镇", "village": village,
                                                  "card_number": f"621700270000{n:04d}", "card_bank": "宝鸡农商银行",
                                                  "area_mu": Decimal(mu)})
    agency = Agency.objects.filter(code="101001").first()
    User = get_user_model()
    clerk, chief = User.objects.filter(username="wangfang").first(), User.objects.filter(username="zhaolei").first()
    leader = User.objects.filter(username="liuyang").first()
    if agency is None or clerk is None or Programme.objects.exists():
        return None
    with transaction.atomic():
        indicator = indicators.issue(year=YEAR, agency=agency, functional="2010601", dept_econ="30305", funding="11",
                                     amount=Decimal("240000.00"), doc_number="宝财农〔2026〕12号", user=chief,
                                     note="耕地地力保护补贴")
        payments.create_annual_plan(indicator, clerk)
        payments.approve_plans(indicator, chief)
        programme = Programme.objects.create(
            year=YEAR, name="耕地地力保护补贴", legal_basis="《关于做好2026年耕地地力保护补贴工作的通知》陕财办农〔2026〕5号",
            basis="area", standard=Decimal("105.37"), indicator=indicator, payout_account="2701002700000001",
            payout_bank="宝鸡农商银行")
        first = batches.create(programme, "2026-H1", clerk)
        batches.approve(batches.submit(first, clerk), chief)
        publication.publish(first, leader)
        batches.create(programme, "2026-H2", clerk)
    return None
