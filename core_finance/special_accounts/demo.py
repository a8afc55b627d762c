"""Demo special accounts (idempotent): three accounts at the demo banks, approved receipts and
disbursements, one awaiting approval, and an imported statement with one line left to match."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core_finance.demo import _users
from core_finance.special_accounts import services, statements
from core_finance.special_accounts.models import SpecialAccount, SpecialTransaction

VIEW = ["view_specialaccount", "view_specialtransaction", "view_statementimport", "view_statementline"]
ROLE_PERMS = {
    "科员": VIEW + ["add_specialtransaction", "add_statementimport"],
    "科长": VIEW + ["approve_specialtransaction", "void_specialtransaction", "add_specialtransaction",
                   "add_specialaccount", "change_specialaccount", "add_statementimport"],
    "局领导": VIEW + ["approve_specialtransaction"],
    "审计员": VIEW,
}
ACCOUNTS = [
    ("ICBC", "中国工商银行宝鸡分行营业部", "2603020109024567890", "宝鸡市财政局非税收入财政专户", "非税收入收缴及缴存",
     "nontax"),
    ("CCB", "中国建设银行宝鸡分行", "61050160220000001234", "宝鸡市社会保险基金财政专户", "社会保险基金收支",
     "social"),
    ("ABC", "中国农业银行宝鸡分行", "26150101040009876", "宝鸡市专项资金财政专户", "上级专项转移支付资金",
     "earmarked"),
]
DAY = dt.date(2026, 11, 2)


def grant() -> None:
    for role, codenames in ROLE_PERMS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_special_accounts",
                                                         codename__in=codenames))


def load_demo():
    grant()
    users = _users()
    clerk, chief = users["wangfang"], users["zhaolei"]
    if SpecialAccount.objects.filter(account_no=ACCOUNTS[1][2]).exists():
        return None
    with transaction.atomic():
        for bank, branch, number, name, purpose, fund in ACCOUNTS:
            SpecialAccount.objects.get_or_create(account_no=number, defaults={
                "bank": bank, "bank_name": branch, "name": name, "purpose": purpose, "fund_type": fund,
                "opened_on": dt.date(2015, 1, 5)})
        social = SpecialAccount.objects.get(account_no=ACCOUNTS[1][2])
        earmarked = SpecialAccount.objects.get(account_no=ACCOUNTS[2][2])

        def book(account, direction, amount, who, purpose, day, approve=True):
            tx = services.create_transaction(account, direction, amount, counterparty=who, purpose=purpose,
                                             user=clerk, value_date=day)
            return services.approve(tx, chief) if approve else tx

        book(social, "receipt", "3200000.00", "宝鸡市社会保险经办中心", "10月养老保险费归集", DAY)
        book(social, "disbursement", "2750000.00", "宝鸡市社会保险经办中心支出户", "11月养老金发放", DAY + dt.timedelta(days=3))
        book(earmarked, "receipt", "1800000.00", "陕西省财政厅", "省级农村公路养护专项资金", DAY)
        book(earmarked, "disbursement", "600000.00", "宝鸡市交通运输局", "农村公路养护拨款", DAY + dt.timedelta(days=5),
             approve=False)
        paid = SpecialTransaction.objects.get(account=social, direction="disbursement")
        csv = ("账号,交易日期,借贷标志,金额,余额,对方户名,流水号,摘要\n"
               f"{social.account_no},2026-11-02,C,3200000.00,3200000.00,宝鸡市社会保险经办中心,CCB20261102001,养老保险费归集\n"
               f"{social.account_no},2026-11-05,D,2750000.00,450000.00,宝鸡市社会保险经办中心支出户,CCB20261105007,"
               f"{paid.number}\n"
               f"{social.account_no},2026-11-20,C,1342.18,451342.18,,CCB20261120999,结息\n")
        statements.import_statement(csv.encode("utf-8"), "CCB_专户对账单_202611.csv", chief)
    return None
