"""Demo data for the finance core (idempotent): code tables, agencies, projects, an approved
2026 budget, its indicators, payment plans, payments through the simulated agent bank, and a
reviewed disclosure dataset. Called by the intranet's ``setup_demo``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction

from core_finance import banksim
from core_finance.models import (
    Agency,
    BudgetStatus,
    BudgetVersion,
    DecisionStatus,
    Indicator,
    MonitorRule,
    PaymentApplication,
    PaymentStatus,
    PerformanceTarget,
    Project,
)
from core_finance.reference_codes import codes_csv
from core_finance.services import bank, budget, disclosure, indicators, payments
from core_finance.services.codes import load_codes

YEAR = 2026
CODE_YEARS = (2025, 2026)

VIEW = [f"view_{m}" for m in (
    "classificationcode", "economicmapping", "agency", "project", "budgetversion", "budgetline", "indicator",
    "indicatoradjustment", "indicatortransaction", "paymentplan", "paymentapplication", "paymentvoucher",
    "bankfile", "clearingrecord", "journalentry", "accountingperiod", "monitorrule", "monitorhit",
    "disclosuredataset")]
ROLE_PERMS = {
    "科员": VIEW + ["add_budgetversion", "submit_budgetversion", "add_project", "change_project",
                   "add_paymentapplication", "add_paymentplan", "adjust_indicator", "add_disclosuredataset",
                   "exchange_bankfile", "import_classificationcode", "add_classificationcode",
                   "change_classificationcode", "add_agency", "change_agency"],
    "科长": VIEW + ["review_budgetversion", "approve_budgetversion", "issue_indicator",
                   "approve_indicatoradjustment", "freeze_indicator", "approve_paymentplan",
                   "approve_paymentapplication", "refund_paymentapplication", "review_disclosuredataset",
                   "reverse_journalentry", "close_accountingperiod", "exchange_bankfile", "add_monitorrule",
                   "change_monitorrule"],
    "局领导": VIEW + ["publish_disclosuredataset", "approve_budgetversion", "approve_paymentapplication"],
    "审计员": VIEW,
}
USERS = {"wangfang": ("王芳", "科员"), "zhaolei": ("赵磊", "科长"), "liuyang": ("刘洋", "局领导"),
         "chenjing": ("陈静", "审计员")}

AGENCIES = [
    ("101", "宝鸡市财政局", None, "ICBC"), ("101001", "宝鸡市财政局（本级）", "101", "ICBC"),
    ("101002", "宝鸡市财政信息中心", "101", "ICBC"), ("101003", "宝鸡市国库支付中心", "101", "ICBC"),
    ("102", "宝鸡市教育局", None, "CCB"), ("102001", "宝鸡市教育局（本级）", "102", "CCB"),
    ("102002", "宝鸡市第一中学", "102", "CCB"),
    ("103", "宝鸡市卫生健康委员会", None, "ABC"), ("103001", "宝鸡市卫生健康委员会（本级）", "103", "ABC"),
    ("103002", "宝鸡市疾病预防控制中心", "103", "ABC"),
]
# Per unit: its main functional code for running costs, and its specific-purpose project.
UNITS = {
    "101001": ("2010601", ("2010607", "金财工程应用支撑平台建设", "31007", "2400000.00")),
    "101002": ("2010650", ("2010607", "财政内外网安全加固", "30227", "860000.00")),
    "101003": ("2010650", ("2010605", "国库集中支付电子化改造", "31007", "1200000.00")),
    "102001": ("2050101", ("2050102", "教育督导评估", "30227", "300000.00")),
    "102002": ("2050204", ("2050204", "高中实验室设备购置", "31003", "1500000.00")),
    "103001": ("2100101", ("2100102", "基层卫生人员培训", "30216", "420000.00")),
    "103002": ("2100401", ("2100409", "重大传染病防控", "30218", "2600000.00")),
}
BASIC_LINES = [  # (project suffix, functional or None = unit default, economic, amount)
    ("01", None, "30101", "1260000.00"), ("01", None, "30102", "840000.00"), ("01", None, "30107", "420000.00"),
    ("01", "2080505", "30108", "302400.00"), ("01", "2210201", "30113", "151200.00"),
    ("02", None, "30201", "86000.00"), ("02", None, "30211", "64000.00"), ("02", None, "30217", "18000.00"),
    ("02", None, "30231", "42000.00"), ("02", None, "30206", "36000.00"),
]
RULES = [
    ("SG01", "“三公”经费支出", "econ_codes", "orange", "30212,30217,30231,31013", None),
    ("XJ01", "提取现金", "cash", "yellow", "", None),
    ("XJ02", "大额提取现金", "cash", "red", "", "50000.00"),
    ("GR01", "向个人大额支付", "individual", "orange", "", "50000.00"),
    ("DE01", "单笔大额支付", "amount", "blue", "", "1000000.00"),
]


def load_demo(verbose: bool = False) -> dict:
    """Load (or complete) the finance demo. Safe to run any number of times."""
    for year in CODE_YEARS:
        load_codes(codes_csv(year), None)
    users = _users()
    _agencies()
    _rules()
    _projects()
    done = {"budget": False, "payments": 0}
    if not BudgetVersion.objects.filter(year=YEAR, status=BudgetStatus.APPROVED).exists():
        _budgets(users)
        done["budget"] = True
    if not PaymentApplication.objects.filter(year=YEAR).exists():
        done["payments"] = _payments(users)
    if not disclosure.DisclosureDataset.objects.exists():
        dataset = disclosure.build(Agency.objects.get(code="101"), YEAR, "budget", users["wangfang"])
        disclosure.review(dataset, users["zhaolei"])
        # Released by a bureau leader: the tables reach the portal's 预决算公开 with the next export.
        disclosure.publish(dataset, users["liuyang"])
    return done


def _users() -> dict:
    User = get_user_model()
    for role, codenames in ROLE_PERMS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="core_finance", codename__in=codenames)
        group.permissions.add(*perms)
    out = {}
    for username, (name, role) in USERS.items():
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": name,
                                                                                "is_staff": True})
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=role))
        out[username] = User.objects.get(pk=user.pk)  # fresh: no stale permission cache
    return out


def _agencies() -> None:
    for code, name, parent, bank_code in AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={
            "name": name, "parent": Agency.objects.filter(code=parent).first() if parent else None,
            "is_department": parent is None, "agent_bank": bank_code, "zero_balance_account": f"ZBA-{code}"})


def _rules() -> None:
    for code, name, kind, level, prefixes, threshold in RULES:
        MonitorRule.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "level": level, "econ_prefixes": prefixes,
            "threshold": Decimal(threshold) if threshold else None})


def _projects() -> None:
    for unit, (_main, (_func, title, _econ, amount)) in UNITS.items():
        agency = Agency.objects.get(code=unit)
        for suffix, name, category in (("01", "人员经费", "personnel"), ("02", "日常公用经费", "operation"),
                                       ("03", title, "specific")):
            project, created = Project.objects.get_or_create(
                year=YEAR, code=f"{YEAR}-{unit}-{suffix}",
                defaults={"name": name if suffix != "03" else title, "agency": agency, "category": category,
                          "requested_amount": Decimal(amount) if suffix == "03" else Decimal(0)})
            if created and suffix == "03":
                PerformanceTarget.objects.bulk_create([
                    PerformanceTarget(project=project, kind="output", name="项目完成率", target_value="100", unit="%"),
                    PerformanceTarget(project=project, kind="benefit", name="业务办理时限缩短", target_value="30",
                                      unit="%"),
                    PerformanceTarget(project=project, kind="satisfaction", name="服务对象满意度", target_value="90",
                                      unit="%"),
                ])


def _budgets(users) -> None:
    clerk, chief = users["wangfang"], users["zhaolei"]
    with transaction.atomic():
        for unit, (main, (func, _title, econ, amount)) in UNITS.items():
            agency = Agency.objects.get(code=unit)
            version = budget.create_version(agency, YEAR, clerk)
            if version.lines.exists():
                continue
            for suffix, functional, econ_code, value in BASIC_LINES:
                budget.add_line(version, clerk, project=f"{YEAR}-{unit}-{suffix}", functional=functional or main,
                                dept_econ=econ_code, funding="11", amount=value)
            budget.add_line(version, clerk, project=f"{YEAR}-{unit}-03", functional=func, dept_econ=econ,
                            funding="11", amount=amount)
            budget.submit(version, clerk)
            budget.department_review(version, chief, True, "符合编制要求")
            second = budget.finance_review(version, chief, True, "下达控制数")
            budget.submit(second, clerk)
            budget.department_review(second, chief, True, "同意")
            budget.finance_review(second, chief, True, "批复")
            indicators.issue_from_budget(second, "宝财预〔2026〕1号", chief)


def _payments(users) -> int:
    clerk, chief = users["wangfang"], users["zhaolei"]
    with transaction.atomic():
        for ind in Indicator.objects.filter(year=YEAR, source__isnull=True).order_by("number"):
            payments.create_annual_plan(ind, clerk)
            payments.approve_plans(ind, chief)
    made = []

    def pay(unit, econ, amount, month, payee, ptype="5201", approve=True, **extra):
        ind = Indicator.objects.filter(year=YEAR, agency__code=unit, dept_econ__code=econ).order_by("number").first()
        app = payments.create_application(
            indicator=ind, amount=amount, payment_type=ptype, payee_name=payee, payee_account=extra.pop(
                "account", "6222020303001234567"), payee_bank=extra.pop("bank_name", "中国工商银行宝鸡分行"),
            purpose=extra.pop("purpose", "日常支出"), user=clerk, month=month, **extra)
        if approve:
            payments.approve(app, chief)
        made.append(app)
        return app

    with transaction.atomic():
        for month in range(1, 12):
            pay("101001", "30101", "105000.00", month, "宝鸡市财政局工资专户", "5201", purpose="基本工资")
            pay("102002", "30101", "105000.00", month, "宝鸡市第一中学工资专户", "5201", purpose="基本工资")
        pay("101001", "30201", "6800.00", 3, "宝鸡文汇办公用品有限公司", "8202", purpose="办公用品采购")
        pay("101001", "30211", "3260.50", 4, "李明", "8203", purpose="公务卡差旅费报销", card_holder="李明",
            card_tx_date=dt.date(YEAR, 4, 12), payee_is_individual=True)
        pay("101001", "31007", "180000.00", 5, "陕西金信软件有限公司", "5201", purpose="应用支撑平台一期",
            account="6217000000009999")
        pay("101002", "30227", "65000.00", 6, "宝鸡网安技术服务有限公司", "8202", purpose="安全加固委托")
        pay("101002", "30217", "1200.00", 6, "宝鸡迎宾馆", "8202", purpose="省厅检查接待",
            attachment=ContentFile(b"%PDF-1.4 demo explanation", name="接待审批单.pdf"))
        pay("103002", "30218", "200000.00", 7, "陕西康泰医疗器械有限公司", "5201", purpose="检测试剂",
            account="6228480000000000000")
        pay("102001", "30227", "24000.00", 8, "宝鸡教育评估中心", "5201", purpose="督导评估委托")
        returned = pay("103001", "30216", "18000.00", 9, "宝鸡市卫生学校", "8202", purpose="培训费",
                       account="RETURN-000000")
        rejected = pay("101003", "31007", "96000.00", 10, "西安云联科技有限公司", "5201", approve=False,
                       purpose="系统运维")
        payments.reject(rejected, chief, "合同未附，请补充后重新申请")
        pay("102002", "31003", "120000.00", 11, "宝鸡市教学仪器公司", "5201", approve=False, purpose="实验室设备")
    for code in ("ICBC", "CCB", "ABC"):
        bank_file = bank.export_payment_file(code, chief)
        if bank_file is None:
            continue
        refunds = {v.number: "500.00" for v in bank_file.vouchers.filter(application__payee_name="宝鸡迎宾馆")}
        result, statement = banksim.simulate(bank_file.content, return_accounts=["RETURN-"], refunds=refunds)
        bank.import_bank_file(result.encode(), f"RESULT_{bank_file.name}", chief)
        bank.import_bank_file(statement.encode(), f"STATEMENT_{bank_file.name}", chief)
    assert returned.pk and PaymentApplication.objects.filter(status=PaymentStatus.RESERVED).exists()
    assert not Indicator.objects.filter(plans__status=DecisionStatus.PENDING).exists()
    return len(made)
