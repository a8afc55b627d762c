"""Payroll demo (idempotent): pay items, the 财政信息中心's staff hired through approved changes,
an approved January run with payslips and a draft February run. Adds a personnel officer and a
staff member who sees only their own payslips."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from common import demo
from core_finance.models import Agency, Indicator
from core_finance.payroll.models import PayItem, PayrollRun, RunStatus, Staff
from core_finance.payroll.rules import with_check_digit
from core_finance.payroll.services import changes, runs

UNIT, YEAR = "101002", 2026
VIEW = ["view_payitem", "view_staff", "view_personnelchange", "view_payrollrun", "view_payslip"]
ROLE_PERMS = {
    "科员": VIEW + ["add_personnelchange", "add_payrollrun", "add_payitem", "change_payitem"],
    "科长": VIEW + ["approve_payrollrun"],
    "局领导": VIEW + ["approve_payrollrun"],
    "审计员": VIEW,
}
ROLES = {
    "人事科": [demo.ADMIN_ACCESS, "finance_payroll.approve_personnelchange", "finance_payroll.view_personnelchange",
            "finance_payroll.view_staff", "finance_payroll.view_payitem"],
    "工资查询": [demo.ADMIN_ACCESS],
}
USERS = [demo.DemoUser("renshi", "孙丽", None, ["人事科"]), demo.DemoUser("lijun", "李军", None, ["工资查询"])]
ITEMS = [  # code, name, kind, econ, method, rate, in base, payee
    ("JBGZ", "基本工资", "earning", "30101", "fixed", None, True, None),
    ("JTBT", "津贴补贴", "earning", "30102", "fixed", None, True, None),
    ("JXGZ", "绩效工资", "earning", "30107", "fixed", None, False, None),
    ("YLBX", "基本养老保险（个人8%）", "withholding", "30108", "rate", "8", False,
     ("宝鸡市社会保险经办中心", "2603000000000108", "中国工商银行宝鸡分行")),
    ("YBBX", "基本医疗保险（个人2%）", "withholding", "30110", "rate", "2", False,
     ("宝鸡市医疗保障经办中心", "2603000000000110", "中国工商银行宝鸡分行")),
    ("GJJ", "住房公积金（个人12%）", "withholding", "30113", "rate", "12", False,
     ("宝鸡市住房公积金管理中心", "2603000000000113", "中国建设银行宝鸡分行")),
    ("GS", "个人所得税", "withholding", "30101", "fixed", None, False,
     ("国家税务总局宝鸡市税务局", "2603000000009999", "国家金库宝鸡市中心支库")),
]
STAFF = [  # name, position, grade, 基本工资, 津贴补贴, 绩效工资, 个税, login
    ("李军", "主任", "正科级", "4620.00", "2150.00", "1800.00", "96.35", "lijun"),
    ("张晓燕", "副主任", "副科级", "4180.00", "1980.00", "1650.00", "61.20", ""),
    ("王建国", "工程师", "专业技术八级", "3890.00", "1760.00", "1500.00", "38.75", ""),
    ("刘婷", "助理工程师", "专业技术十一级", "3260.00", "1420.00", "1200.00", "0.00", ""),
    ("陈浩", "科员", "二级科员", "3120.00", "1380.00", "1150.00", "0.00", ""),
    ("欧阳明", "技术员", "专业技术十二级", "2980.00", "1300.00", "1080.00", "0.00", ""),
]


def load_demo() -> list[dict]:
    for role, codenames in ROLE_PERMS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="finance_payroll",
                                                         codename__in=codenames))
    demo.ensure_roles(ROLES)
    accounts = demo.ensure_users(USERS)
    for code, name, kind, econ, method, rate, base, payee in ITEMS:
        payee_name, account, bank = payee or ("", "", "")
        PayItem.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "econ_code": econ, "method": method, "rate": Decimal(rate) if rate else None,
            "in_base": base, "payee_name": payee_name, "payee_account": account, "payee_bank": bank,
            "position": len(PayItem.objects.all())})
    agency = Agency.objects.filter(code=UNIT).first()
    indicator = Indicator.objects.filter(agency=agency, year=YEAR, dept_econ__code="30101").order_by("number").first()
    if agency is None or indicator is None or Staff.objects.filter(agency=agency).exists():
        return accounts
    User = get_user_model()
    clerk, chief = User.objects.get(username="wangfang"), User.objects.get(username="zhaolei")
    officer = User.objects.get(username="renshi")
    with transaction.atomic():
        for n, (name, position, grade, basic, allowance, merit, tax, login) in enumerate(STAFF):
            change = changes.request(agency, "hire", clerk, effective_from=YEAR * 100 + 1, reason="年初在编人员核定",
                                     data={"name": name, "id_number": with_check_digit(f"61030219{78 + n}0{n + 3}1"
                                                                                       f"5{n}2{n}"),
                                           "position": position, "grade": grade,
                                           "bank_card": f"622202030300{n:07d}", "bank_name": "中国工商银行宝鸡分行",
                                           "username": login},
                                     amounts={"JBGZ": basic, "JTBT": allowance, "JXGZ": merit, "GS": tax})
            changes.decide(change, officer, True)
        january = runs.create(agency, YEAR * 100 + 1, indicator, clerk)
        runs.approve(runs.submit(january, clerk), chief)
        staff = Staff.objects.get(agency=agency, name="陈浩")
        changes.decide(changes.request(agency, "raise", clerk, effective_from=YEAR * 100 + 2, reason="年度晋级",
                                       staff=staff, amounts={"JBGZ": "3300.00"}), officer, True)
        runs.create(agency, YEAR * 100 + 2, indicator, clerk)
    assert PayrollRun.objects.filter(status=RunStatus.APPROVED).exists()
    return accounts
