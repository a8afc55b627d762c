"""The staff screens in the intranet's Wagtail admin: each opens for the right role, actions go
through the services (refusals shown in Chinese), and a role without the permission is refused."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from core_finance import banksim
from core_finance.models import Agency, BudgetVersion, PaymentApplication, PaymentStatus, Project
from core_finance.services import bank, budget, disclosure, payments
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


def staff_login(client, make_user, otp_login, username, role):
    from core_finance.demo import ROLE_PERMS

    user, password, device = make_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="core_finance",
                                                        codename__in=ROLE_PERMS[role]))
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    otp_login(client, username, password, device)
    return type(user).objects.get(pk=user.pk)


def refused(response) -> bool:
    """Wagtail turns a permission refusal in the admin into a redirect to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response.url == "/admin/")


@pytest.fixture
def world(make_indicator, pay, chief, clerk, agency, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    ind = make_indicator("10000.00")
    approved = pay(ind, "1200.00")
    payments.approve(approved, chief)
    out = bank.export_payment_file("ICBC", chief)
    result, statement = banksim.simulate(out.content)
    bank.import_bank_file(result.encode(), "r.csv", chief)
    bank.import_bank_file(statement.encode(), "s.csv", chief)
    waiting = pay(ind, "300.00")
    Project.objects.create(year=2026, code="P02", name="日常公用经费", agency=agency, category="operation")
    version = budget.create_version(agency, 2026, clerk)
    budget.add_line(version, clerk, project="P02", functional="2010601", dept_econ="30201", funding="11",
                    amount="100.00")
    return {"ind": ind, "paid": approved, "waiting": waiting, "version": version}


def test_every_screen_opens_for_a_section_chief(client, make_user, otp_login, world):
    staff_login(client, make_user, otp_login, "kezhang", "科长")
    ind, paid, version = world["ind"], world["paid"], world["version"]
    from core_finance.models import JournalEntry

    urls = ["/admin/finance/codes/transfer/", "/admin/finance/codes/export/2026/csv/",
            f"/admin/finance/budget/{version.pk}/", f"/admin/finance/budget/{version.pk}/template.xlsx",
            f"/admin/finance/indicators/{ind.pk}/", f"/admin/finance/indicators/{ind.pk}/balance.json",
            f"/admin/finance/payments/{paid.pk}/", "/admin/finance/bank/", "/admin/finance/ledger/",
            f"/admin/finance/ledger/entries/{JournalEntry.objects.first().pk}/",
            "/admin/finance/reports/execution/?year=2026&dimension=functional&level=1",
            "/admin/finance/reports/vouchers/?year=2026&dimension=agency&key=101001",
            "/admin/finance/reports/leaders/?year=2026", "/admin/finance/disclosure/",
            "/admin/finance_codes/", "/admin/finance_agencies/", "/admin/finance_projects/", "/admin/finance_budgets/",
            "/admin/finance_indicators/", "/admin/finance_payments/", "/admin/finance_vouchers/",
            "/admin/finance_rules/", "/admin/finance_hits/", "/admin/finance_adjustments/", "/admin/finance_mappings/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    page = client.get(f"/admin/finance/indicators/{ind.pk}/").content.decode()
    assert "可用余额" in page and "8500.00" in page and "指标流水" in page
    assert client.get(f"/admin/finance/indicators/{ind.pk}/balance.json").json()["balance"] == "8500.00"
    menu = client.get("/admin/").content.decode()
    assert "财政业务" in menu or "\\u8d22\\u653f\\u4e1a\\u52a1" in menu  # the sidebar is JSON for a script
    report = client.get("/admin/finance/reports/execution/?year=2026&dimension=agency").content.decode()
    assert "<svg" in report and 'role="img"' in report and "宝鸡市财政局（本级）" in report
    export = client.get("/admin/finance/reports/execution/?year=2026&dimension=agency&format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[-1][1] == "合计"


def test_a_clerk_creates_a_payment_and_a_chief_approves_it(client, make_user, otp_login, world):
    clerk = staff_login(client, make_user, otp_login, "keyuan", "科员")
    ind = world["ind"]
    form = {"indicator": ind.pk, "month": 3, "payment_type": ind.functional.__class__.objects.get(
        year=2026, table="payment_type", code="8202").pk, "amount": "99999.00", "payee_name": "宝鸡文汇",
        "payee_account": "6222", "payee_bank": "工行", "purpose": "办公用品"}
    response = client.post("/admin/finance/payments/new/", form)
    assert response.status_code == 200 and "指标额度控制规则" in response.content.decode()
    assert not PaymentApplication.objects.filter(created_by=clerk).exists()
    form["amount"] = "88.50"
    response = client.post("/admin/finance/payments/new/", form)
    app = PaymentApplication.objects.get(created_by=clerk)
    assert response.status_code == 302 and response.url == f"/admin/finance/payments/{app.pk}/"
    assert refused(client.post(f"/admin/finance/payments/{app.pk}/decide/", {"decision": "approve"}))
    client.logout()
    staff_login(client, make_user, otp_login, "kezhang", "科长")
    response = client.post(f"/admin/finance/payments/{app.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "已审核" in response.content.decode()
    assert refresh(app).status == PaymentStatus.APPROVED and app.voucher.number.startswith("SQ")


def test_refusals_are_shown_and_change_nothing(client, make_user, otp_login, world):
    staff_login(client, make_user, otp_login, "kezhang", "科长")
    waiting = world["waiting"]
    response = client.post(f"/admin/finance/payments/{waiting.pk}/decide/", {"decision": "reject", "comment": ""},
                           follow=True)
    assert "审核意见规则" in response.content.decode()
    assert refresh(waiting).status == PaymentStatus.RESERVED


def test_budget_workflow_and_import_through_the_screens(client, make_user, otp_login, world):
    version = world["version"]
    staff_login(client, make_user, otp_login, "keyuan", "科员")
    bad = "项目编码,功能分类科目,部门经济分类,资金来源,金额,备注\nP02,2010601,30201,11,1.234,\n".encode()
    response = client.post(f"/admin/finance/budget/{version.pk}/import/",
                           {"file": io.BytesIO(bad)}, follow=True)
    page = response.content.decode()
    assert "金额精度规则" in page and "第2行" in page
    assert list(version.lines.values_list("amount", flat=True)) == [Decimal("100.00")]
    response = client.post(f"/admin/finance/budget/{version.pk}/submit/", follow=True)
    assert refresh(version).status == "submitted"
    client.logout()
    staff_login(client, make_user, otp_login, "kezhang", "科长")
    client.post(f"/admin/finance/budget/{version.pk}/department/", {"decision": "approve"})
    client.post(f"/admin/finance/budget/{version.pk}/finance/", {"decision": "approve", "comment": "控制数"})
    second = BudgetVersion.objects.get(previous=version)
    assert refresh(version).status == "control_issued" and second.round == 2


def test_roles_without_the_permission_are_refused(client, make_user, otp_login, world):
    staff_login(client, make_user, otp_login, "shenji", "审计员")
    ind, waiting = world["ind"], world["waiting"]
    assert client.get(f"/admin/finance/indicators/{ind.pk}/").status_code == 200  # auditors read
    for url, data in ((f"/admin/finance/payments/{waiting.pk}/decide/", {"decision": "approve"}),
                      ("/admin/finance/payments/new/", {}), ("/admin/finance/ledger/close/", {"year": 2026, "month": 1}),
                      (f"/admin/finance/indicators/{ind.pk}/freeze/", {"amount": "1.00"}),
                      ("/admin/finance/bank/upload/", {})):
        assert refused(client.post(url, data)), url
    assert refresh(waiting).status == PaymentStatus.RESERVED


def test_disclosure_screens(client, make_user, otp_login, world, chief, clerk):
    dept = Agency.objects.get(code="101")
    staff_login(client, make_user, otp_login, "keyuan", "科员")
    response = client.post("/admin/finance/disclosure/", {"agency": dept.pk, "year": 2026, "kind": "budget"},
                           follow=True)
    assert "预算公开规则" in response.content.decode()  # the budget is not approved yet
    v = world["version"]
    budget.submit(v, clerk)
    budget.department_review(v, chief, True)
    second = budget.finance_review(v, chief, True)
    budget.submit(second, clerk)
    budget.department_review(second, chief, True)
    budget.finance_review(second, chief, True)
    dataset = disclosure.build(dept, 2026, "budget", clerk)
    page = client.get(f"/admin/finance/disclosure/{dataset.pk}/").content.decode()
    assert "部门收支总表" in page and "一般公共预算“三公”经费支出表" in page
    package = client.get(f"/admin/finance/disclosure/{dataset.pk}/package.zip")
    assert package.status_code == 200 and package.content[:2] == b"PK"


def test_reference_data_edited_in_the_admin_is_validated_and_audited(client, make_user, otp_login, codes):
    from common.audit.models import AuditEvent
    from core_finance.models import ClassificationCode

    user = staff_login(client, make_user, otp_login, "keyuan", "科员")
    response = client.post("/admin/finance_agencies/new/", {"code": "104", "name": "宝鸡市民政局",
                                                            "is_department": "on", "agent_bank": "ICBC",
                                                            "zero_balance_account": "", "is_active": "on"})
    assert response.status_code == 302
    agency = Agency.objects.get(code="104")
    event = AuditEvent.objects.get(action="finance.agency.create", object_id=str(agency.pk))
    assert event.actor == user.username
    parent = ClassificationCode.objects.get(year=2026, table="functional", code="20106")
    response = client.post("/admin/finance_codes/new/", {"year": 2026, "table": "functional", "code": "201066",
                                                         "name": "位数不对", "parent": parent.pk, "level": 3})
    assert response.status_code == 200 and not ClassificationCode.objects.filter(code="201066").exists()
    response = client.post("/admin/finance_codes/new/", {"year": 2026, "table": "functional", "code": "2010698",
                                                         "name": "新增项级科目", "parent": parent.pk, "level": 1,
                                                         "is_active": "on"})
    assert response.status_code == 302
    new = ClassificationCode.objects.get(year=2026, code="2010698")
    assert (new.level, new.is_leaf) == (3, True)  # derived from the code, whatever the form said


def test_a_project_with_performance_targets_is_added_in_the_project_library(client, make_user, otp_login, agency):
    staff_login(client, make_user, otp_login, "keyuan", "科员")
    data = {"year": 2026, "code": "2026-101001-09", "name": "财政一体化系统升级", "agency": agency.pk,
            "category": "specific", "description": "", "requested_amount": "500000.00",
            "targets-TOTAL_FORMS": 2, "targets-INITIAL_FORMS": 0, "targets-MIN_NUM_FORMS": 0,
            "targets-MAX_NUM_FORMS": 1000}
    for i, (kind, name, value, unit) in enumerate([("output", "系统上线模块数", "6", "个"),
                                                   ("satisfaction", "使用单位满意度", "90", "%")]):
        data.update({f"targets-{i}-kind": kind, f"targets-{i}-name": name, f"targets-{i}-target_value": value,
                     f"targets-{i}-unit": unit, f"targets-{i}-ORDER": i + 1, f"targets-{i}-id": "",
                     f"targets-{i}-DELETE": ""})
    response = client.post("/admin/finance_projects/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(code="2026-101001-09")
    assert sorted(project.targets.values_list("kind", "target_value")) == [("output", "6"), ("satisfaction", "90")]
    assert project.requested_amount == Decimal("500000.00") and not project.is_basic
