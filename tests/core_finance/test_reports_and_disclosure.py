"""Execution reports with drill-down, Excel and charts; disclosure datasets sent through the exchange."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core_finance.charts import bar_chart
from core_finance.errors import FinanceRuleError
from core_finance.models import Agency, DisclosureDataset, Project
from core_finance.services import budget, disclosure, indicators, payments, reports

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def executed(make_indicator, pay, chief, agency):
    school = Agency.objects.create(code="102002", name="宝鸡市第一中学", agent_bank="CCB")
    a = make_indicator("1000.00", econ="30201")
    b = make_indicator("500.00", econ="30211", func="2010602")
    c = make_indicator("800.00", econ="30101", func="2050204", unit=school)
    for ind, amount, month in ((a, "100.00", 1), (a, "50.00", 2), (b, "70.00", 2), (c, "300.00", 3)):
        payments.approve(pay(ind, amount, month=month), chief)
    pay(a, "10.00", month=3)  # reserved only: not executed
    return a, b, c


def test_execution_by_agency_functional_and_economic_code(executed):
    by_agency = reports.execution(2026, "agency")
    rows = {r.key: r for r in by_agency["rows"]}
    assert rows["101001"].budget == D("1500.00") and rows["101001"].executed == D("220.00")
    assert rows["101001"].months[:3] == [D("100.00"), D("120.00"), D("0")]
    assert rows["102002"].rate == D("37.5")
    total = by_agency["total"]
    assert total.budget == D("2300.00") and total.executed == D("520.00")
    assert total.executed == sum(r.executed for r in by_agency["rows"])
    classes = {r.key: r for r in reports.execution(2026, "functional", level=1)["rows"]}
    assert set(classes) == {"201", "205"} and classes["201"].name == "一般公共服务支出"
    items = {r.key: r.executed for r in reports.execution(2026, "functional", level=3)["rows"]}
    assert items == {"2010601": D("150.00"), "2010602": D("70.00"), "2050204": D("300.00")}
    econ = {r.key: r.executed for r in reports.execution(2026, "dept_econ", level=1)["rows"]}
    assert econ == {"301": D("300.00"), "302": D("220.00")}


def test_drill_down_reaches_the_vouchers_behind_a_cell(executed):
    vouchers = list(reports.drill_down(2026, "functional", "201", month=2))
    assert sorted(v.amount for v in vouchers) == [D("50.00"), D("70.00")]
    assert all(v.number for v in vouchers)
    assert sum(v.amount for v in reports.drill_down(2026, "agency", "101001")) == D("220.00")


def test_refunds_reduce_execution(executed, chief):
    from core_finance.models import PaymentApplication, PaymentStatus

    app = PaymentApplication.objects.get(amount=D("300.00"))
    PaymentApplication.objects.filter(pk=app.pk).update(status=PaymentStatus.SENT)
    payments.mark_paid(app, app.voucher.issued_at.date(), "P", chief)
    payments.refund(app, "40.00", chief, reason="退回")
    rows = {r.key: r for r in reports.execution(2026, "agency")["rows"]}
    assert rows["102002"].executed == D("260.00")


def test_excel_export_and_chart(executed):
    report = reports.execution(2026, "agency")
    book = load_workbook(io.BytesIO(reports.to_excel(report)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("预算单位", "名称", "预算数") and rows[-1][1] == "合计"
    assert D(str(rows[-1][2])) == D("2300.00")
    svg = bar_chart("执行情况", [(r.name, r.executed) for r in report["rows"]], chart_id="c1")
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "宝鸡市第一中学" in svg


def test_leader_summary(executed):
    summary = reports.leader_summary(2026)
    assert summary["executed"] == D("520.00") and summary["pending_count"] == 1
    assert summary["top"][0].key == "102002"


@pytest.fixture
def approved_budget(codes, agency, clerk, chief, chief2):
    for code, name, category in (("P01", "人员经费", "personnel"), ("P03", "金财工程", "specific")):
        Project.objects.create(year=2026, code=code, name=name, agency=agency, category=category)
    version = budget.create_version(agency, 2026, clerk)
    budget.add_line(version, clerk, project="P01", functional="2010601", dept_econ="30101", funding="11",
                    amount="1200000.00")
    budget.add_line(version, clerk, project="P01", functional="2010601", dept_econ="30217", funding="11",
                    amount="20000.00")
    budget.add_line(version, clerk, project="P03", functional="2120803", dept_econ="31007", funding="12",
                    amount="300000.00")
    budget.submit(version, clerk)
    budget.department_review(version, chief, True)
    second = budget.finance_review(version, chief2, True)
    budget.submit(second, clerk)
    budget.department_review(second, chief, True)
    budget.finance_review(second, chief2, True)
    indicators.issue_from_budget(second, "宝财预〔2026〕1号", chief)
    return second


def test_budget_disclosure_dataset_in_fiscal_data_package_form(approved_budget, agency, clerk):
    dataset = disclosure.build(agency.parent, 2026, "budget", clerk)
    assert dataset.descriptor["profile"] == "fiscal-data-package"
    names = [r["title"] for r in dataset.descriptor["resources"]]
    assert names[:3] == ["部门收支总表", "部门收入总表", "部门支出总表"] and len(names) == 8
    tables = {t["name"]: t for t in dataset.tables}
    income = dict((r[0], r[1]) for r in tables["table-01"]["rows"])
    assert income["收入合计"] == income["支出合计"] == "1520000.00"
    sangong = dict((r[0], r[1]) for r in tables["table-07"]["rows"])
    assert sangong["公务接待费"] == "20000.00" and sangong["合计"] == "20000.00"
    fund = tables["table-08"]["rows"]
    assert fund[0][:3] == ["212", "城乡社区支出", "300000.00"]
    parsed = list(csv.reader(io.StringIO(disclosure.csv_text(tables["table-03"]))))
    assert parsed[0] == ["func_code", "func_name", "total", "basic", "project"]
    field_types = {f["columnType"] for f in dataset.descriptor["resources"][2]["schema"]["fields"]
                   if "columnType" in f}
    assert "functional-classification:generic:code" in field_types and "value" in field_types


def test_disclosure_is_reviewed_by_another_person_then_queued_for_the_extranet(approved_budget, agency, clerk,
                                                                               chief):
    from django.contrib.auth.models import Permission

    from exchange.models import OutboundItem

    dataset = disclosure.build(agency.parent, 2026, "budget", clerk)
    clerk.user_permissions.add(Permission.objects.get(codename="review_disclosuredataset"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    with pytest.raises(FinanceRuleError) as exc:
        disclosure.review(dataset, clerk)
    assert exc.value.rule == "creator_approves"
    with pytest.raises(FinanceRuleError):
        disclosure.publish(dataset, chief)  # not reviewed, and no permission
    disclosure.review(dataset, chief)
    publisher = chief
    publisher.user_permissions.add(Permission.objects.get(codename="publish_disclosuredataset"))
    publisher = type(chief).objects.get(pk=chief.pk)
    dataset = disclosure.publish(dataset, publisher)
    assert dataset.status == DisclosureDataset.Status.QUEUED
    items = list(OutboundItem.objects.filter(message_type="portal.dataset.publish").order_by("pk"))
    assert len(items) == len(dataset.tables) == 8
    first = items[0]
    assert (first.channel, first.version, first.classification) == ("to-extranet", 1, "public")
    assert first.body["document_id"] == f"{dataset.descriptor['name']}-table-01"
    assert first.body["title"].endswith("部门收支总表") and first.body["rows"]


def test_final_accounts_dataset(approved_budget, agency, pay, chief, clerk):
    from core_finance.models import Indicator

    ind = Indicator.objects.get(dept_econ__code="30217")
    payments.approve(pay(ind, "1500.00", attachment=None), chief)
    dataset = disclosure.build(agency.parent, 2026, "final", clerk)
    tables = {t["name"]: t for t in dataset.tables}
    assert dict((r[0], r[1]) for r in tables["table-03"]["rows"])["公务接待费"] == "1500.00"


def test_no_approved_budget_no_dataset(codes, agency, clerk):
    with pytest.raises(FinanceRuleError) as exc:
        disclosure.build(agency, 2026, "budget", clerk)
    assert exc.value.rule == "disclosure" and "预算公开规则" in exc.value.text
