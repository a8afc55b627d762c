"""Demo of county supervision: 眉县 with two townships, their staff, and a special fund traced from
the county's allocation through the townships' indicators to payments paid by the agent bank.
Idempotent; called by the intranet's ``setup_demo`` after the finance core demo.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction

from common import demo
from core_finance import banksim
from core_finance.models import Agency, DivisionMembership, FiscalDivision
from core_finance.services import bank, indicators, payments

from .models import SpecialFund
from .services import funds

YEAR = 2026
FUND_CODE = "ZX2026-NT01"
DIVISIONS = [  # code, name, level, parent code (None: the home division), county review threshold
    ("610326", "眉县", "county", None, None),
    ("610326100", "首善镇", "township", "610326", "50000.00"),
    ("610326101", "横渠镇", "township", "610326", "50000.00"),
]
AGENCIES = [  # code, name, parent, division
    ("301", "眉县财政局", None, "610326"), ("301001", "眉县财政局（本级）", "301", "610326"),
    ("401", "首善镇人民政府", None, "610326100"), ("401001", "首善镇财政所", "401", "610326100"),
    ("402", "横渠镇人民政府", None, "610326101"), ("402001", "横渠镇财政所", "402", "610326101"),
]
USERS = [  # username, name, role, division code, supervises
    ("sunwei", "孙伟", "科长", "610326", True), ("zhoumin", "周敏", "科员", "610326", True),
    ("wangqiang", "王强", "科长", "610326100", False), ("lijuan", "李娟", "科员", "610326100", False),
    ("zhanghua", "张华", "科员", "610326101", False), ("majun", "马军", "科长", "610326101", False),
]
ROLE_PERMS = {
    "科员": ["finance_divisions.view_specialfund", "finance_divisions.add_specialfund",
           "core_finance.view_fiscaldivision"],
    "科长": ["finance_divisions.view_specialfund", "core_finance.view_fiscaldivision",
           "core_finance.view_divisionmembership"],
    "局领导": ["finance_divisions.view_specialfund", "core_finance.view_fiscaldivision",
            "core_finance.change_fiscaldivision", "core_finance.view_divisionmembership",
            "core_finance.add_divisionmembership", "core_finance.change_divisionmembership"],
    "审计员": ["finance_divisions.view_specialfund", "core_finance.view_fiscaldivision",
            "core_finance.view_divisionmembership"],
}


def load_demo() -> list[dict]:
    _grant()
    home = FiscalDivision.home()
    if home.name == "本级":
        home.name = "宝鸡市（本级）"
        home.save(update_fields=["name"])
    for code, name, level, parent, threshold in DIVISIONS:
        FiscalDivision.objects.update_or_create(code=code, defaults={
            "name": name, "level": level, "review_threshold": Decimal(threshold) if threshold else None,
            "parent": FiscalDivision.objects.get(code=parent) if parent else home})
    for code, name, parent, division in AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={
            "name": name, "parent": Agency.objects.filter(code=parent).first() if parent else None,
            "is_department": parent is None, "agent_bank": "RCC", "zero_balance_account": f"ZBA-{code}",
            "division": FiscalDivision.objects.get(code=division)})
    accounts = demo.ensure_users([demo.DemoUser(u, n, None, [role]) for u, n, role, _d, _s in USERS])
    User = get_user_model()
    for username, _name, _role, division, supervises in USERS:
        DivisionMembership.objects.update_or_create(user=User.objects.get(username=username), defaults={
            "division": FiscalDivision.objects.get(code=division), "supervises": supervises})
    leader = User.objects.filter(username="liuyang").first()
    if leader is not None:  # the bureau leader oversees every division of the installation
        DivisionMembership.objects.get_or_create(user=leader, defaults={"division": home, "supervises": True})
    if not SpecialFund.objects.filter(code=FUND_CODE).exists():
        _special_fund({u: User.objects.get(username=u) for u, *_rest in USERS})
    return accounts


def _grant() -> None:
    for role, perms in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _special_fund(users) -> None:
    county_chief, county_clerk = users["sunwei"], users["zhoumin"]
    with transaction.atomic():
        top = indicators.issue(year=YEAR, agency=Agency.objects.get(code="301001"), functional="2130153",
                               dept_econ="30227", funding="11", amount=Decimal("900000.00"),
                               doc_number="眉财农〔2026〕12号", user=county_chief, note="高标准农田建设专项资金")
        for unit, amount in (("401001", "400000.00"), ("402001", "350000.00")):
            adj = indicators.request_adjustment("transfer", top, amount, "眉财农〔2026〕15号", county_clerk,
                                                reason="按项目分配到乡镇", target_agency=Agency.objects.get(code=unit))
            indicators.decide_adjustment(adj, county_chief, True, "同意分配")
        funds.register(code=FUND_CODE, name="高标准农田建设专项资金", year=YEAR, allocations=[top], user=county_clerk,
                       purpose="县级统筹，分配至首善镇、横渠镇用于高标准农田建设")
        for unit, (clerk, chief) in {"401001": ("lijuan", "wangqiang"), "402001": ("zhanghua", "majun")}.items():
            # The townships plan the season's works in June (用款计划).
            plan = payments.create_plan(top.children.get(agency__code=unit), 6, "200000.00", users[clerk])
            payments.approve_plan(plan, users[chief])
    with transaction.atomic():
        shoushan, hengqu = top.children.get(agency__code="401001"), top.children.get(agency__code="402001")
        kwargs = {"payment_type": "5201", "payee_bank": "中国工商银行眉县支行", "month": 6}
        big = payments.create_application(indicator=shoushan, amount="120000.00", payee_name="眉县宏达农业工程有限公司",
                                          payee_account="6222020303007788990", purpose="首善镇高标准农田土地平整",
                                          user=users["lijuan"], **kwargs)
        payments.approve(big, county_chief)  # above the township's threshold: the county approves
        small = payments.create_application(indicator=shoushan, amount="30000.00", payee_name="眉县绿野灌溉设备厂",
                                            payee_account="6222020303001122334", purpose="滴灌设备",
                                            user=users["lijuan"], **kwargs)
        payments.approve(small, users["wangqiang"])
        payments.create_application(indicator=hengqu, amount="60000.00", payee_name="刘建国",
                                    payee_account="6217000000005566778", purpose="种植大户土地托管补助",
                                    payee_is_individual=True, user=users["zhanghua"],
                                    attachment=ContentFile(b"%PDF-1.4 demo", name="补助公示.pdf"), **kwargs)
    # The county and its townships bank with the rural credit cooperative (农信社), one agent bank
    # of the installation's single treasury system.
    treasury = get_user_model().objects.filter(username="zhaolei").first() or county_chief
    bank_file = bank.export_payment_file("RCC", treasury)
    if bank_file is not None:
        result, statement = banksim.simulate(bank_file.content)
        bank.import_bank_file(result.encode(), f"RESULT_{bank_file.name}", treasury)
        bank.import_bank_file(statement.encode(), f"STATEMENT_{bank_file.name}", treasury)
