"""Budget preparation: lines classified three ways, "two up, two down", versions, exact summaries, import."""

import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.models import BudgetLine, BudgetStatus, BudgetVersion, Indicator, Project
from core_finance.services import budget, budget_import, indicators
from tests.core_finance.helpers import rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(agency):
    return {
        "01": Project.objects.create(year=2026, code="P01", name="人员经费", agency=agency, category="personnel"),
        "02": Project.objects.create(year=2026, code="P02", name="日常公用经费", agency=agency, category="operation"),
        "03": Project.objects.create(year=2026, code="P03", name="金财工程", agency=agency, category="specific"),
    }


@pytest.fixture
def draft(codes, agency, projects, clerk):
    version = budget.create_version(agency, 2026, clerk)
    budget.add_line(version, clerk, project="P01", functional="2010601", dept_econ="30101", funding="11",
                    amount="1200000.00")
    budget.add_line(version, clerk, project="P02", functional="2010601", dept_econ="30201", funding="11",
                    amount="80000.00")
    budget.add_line(version, clerk, project="P03", functional="2010607", dept_econ="31007", funding="11",
                    amount="2000000.00")
    return version


def test_a_line_is_classified_three_ways_with_the_mapped_government_code(draft):
    line = draft.lines.get(project__code="P02")
    assert (line.functional.code, line.dept_econ.code, line.gov_econ.code, line.funding.code) == (
        "2010601", "30201", "50201", "11")


def test_two_up_two_down_to_approval_and_indicators(draft, clerk, chief, chief2):
    budget.submit(draft, clerk)
    budget.department_review(draft, chief, True, "同意")
    second = budget.finance_review(draft, chief2, True, "下达控制数")
    draft.refresh_from_db()
    assert draft.status == BudgetStatus.CONTROL_ISSUED
    assert (second.round, second.number, second.previous_id, second.status) == (2, 2, draft.pk, BudgetStatus.DRAFT)
    assert second.lines.count() == 3 and budget.total(second) == budget.total(draft)
    budget.add_line(second, clerk, project="P02", functional="2010601", dept_econ="30211", funding="11",
                    amount="60000.00")
    budget.submit(second, clerk)
    budget.department_review(second, chief, True)
    approved = budget.finance_review(second, chief2, True, "批复")
    assert approved.status == BudgetStatus.APPROVED
    assert [r.action for r in second.reviews.all()] == ["submit", "department_approve", "approved"]
    issued = indicators.issue_from_budget(second, "宝财预〔2026〕1号", chief)
    assert len(issued) == 4
    for ind in issued:
        assert ind.budget_line.version_id == second.pk  # each indicator references its budget line
        assert ind.amount == ind.budget_line.amount == ind.balance
    with pytest.raises(FinanceRuleError):
        indicators.issue_from_budget(second, "宝财预〔2026〕2号", chief)  # never twice
    assert Indicator.objects.count() == 4


def test_returns_need_a_comment_and_reopen_the_version(draft, clerk, chief):
    budget.submit(draft, clerk)
    with pytest.raises(FinanceRuleError) as exc:
        budget.department_review(draft, chief, False, "")
    assert exc.value.rule == "comment_required" and "退回" in exc.value.text
    budget.department_review(draft, chief, False, "差旅费标准偏高")
    draft.refresh_from_db()
    assert draft.status == BudgetStatus.RETURNED and draft.editable
    assert draft.reviews.last().comment == "差旅费标准偏高"
    budget.add_line(draft, clerk, project="P02", functional="2010601", dept_econ="30211", funding="11",
                    amount="1.00")
    budget.submit(draft, clerk)


def test_the_creator_never_reviews_their_own_budget(draft, clerk, chief):
    clerk.user_permissions.add(*chief.user_permissions.all())
    clerk = type(clerk).objects.get(pk=clerk.pk)
    budget.submit(draft, clerk)
    with pytest.raises(FinanceRuleError) as exc:
        budget.department_review(draft, clerk, True)
    assert exc.value.rule == "creator_approves" and "不相容职务分离规则" in exc.value.text
    draft.refresh_from_db()
    assert draft.status == BudgetStatus.SUBMITTED


def test_submitted_versions_cannot_be_edited_and_empty_ones_cannot_be_submitted(draft, agency, clerk, chief):
    budget.submit(draft, clerk)
    with pytest.raises(FinanceRuleError) as exc:
        budget.add_line(draft, clerk, project="P01", functional="2010601", dept_econ="30102", funding="11",
                        amount="1.00")
    assert exc.value.rule == "state"
    other = BudgetVersion.objects.create(agency=agency, year=2026, number=9, created_by=clerk)
    with pytest.raises(FinanceRuleError) as exc:
        budget.submit(other, clerk)
    assert exc.value.rule == "budget_empty"


@pytest.mark.parametrize("field, value, rule", [
    ("functional", "20106", "code_invalid"),      # not a leaf
    ("functional", "9999999", "code_invalid"),    # unknown
    ("dept_econ", "302", "code_invalid"),
    ("funding", "99", "code_invalid"),
    ("project", "NOPE", "code_invalid"),
    ("amount", "10.001", "amount_precision"),
    ("amount", "-5.00", "amount_negative"),
    ("amount", "0", "amount_positive"),
])
def test_bad_lines_are_refused_with_the_rule_and_nothing_is_added(draft, clerk, field, value, rule):
    values = {"project": "P02", "functional": "2010601", "dept_econ": "30201", "funding": "11", "amount": "1.00"}
    values[field] = value
    before = BudgetLine.objects.count()
    with pytest.raises(FinanceRuleError) as exc:
        budget.add_line(draft, clerk, **values)
    assert exc.value.rule == rule and exc.value.text.startswith("【")
    assert BudgetLine.objects.count() == before


def test_codes_of_another_year_are_refused(draft, clerk):
    from tests.core_finance.conftest import load_year

    load_year(2025)
    from core_finance.models import ClassificationCode

    old = ClassificationCode.objects.get(year=2025, table="functional", code="2010601")
    with pytest.raises(FinanceRuleError) as exc:
        budget.add_line(draft, clerk, project="P02", functional=old, dept_econ="30201", funding="11", amount="1.00")
    assert exc.value.rule == "code_invalid" and "2026" in exc.value.text


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2010601", "2010602", "2010607", "2050101", "2210201"]),
                          st.sampled_from(["30101", "30201", "30211", "31007", "30113"]),
                          st.sampled_from(["P01", "P02", "P03"]),
                          st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)),
                min_size=1, max_size=12))
def test_every_summary_table_totals_exactly_to_the_budget(draft, clerk, lines):
    with rolled_back():
        draft.lines.all().delete()
        for func, econ, project, amount in lines:
            budget.add_line(draft, clerk, project=project, functional=func, dept_econ=econ, funding="11",
                            amount=amount)
        result = budget.summary(draft)
        expected = sum((a for *_x, a in lines), Decimal("0"))
        assert result["total"] == expected
        for name, rows in result["tables"].items():
            assert sum(r[2] for r in rows) == expected, name


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(budget_import.HEADINGS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_import_replaces_the_lines_of_a_draft(draft, clerk):
    data = _xlsx([["P01", "2010601", "30101", "11", 1300000, "基本工资"],
                  ["P02", "2010601", "30201", 11, "88000.50", ""], ["P03", "2010607", "31007", "11", 1999999.99, ""]])
    assert budget_import.import_budget(draft, data, clerk) == 3
    assert sorted(draft.lines.values_list("amount", flat=True)) == [Decimal("88000.50"), Decimal("1300000.00"),
                                                                    Decimal("1999999.99")]
    assert AuditEvent.objects.filter(action="finance.budget.import").count() == 1


def test_excel_import_reports_every_bad_row_in_chinese_and_changes_nothing(draft, clerk):
    before = list(draft.lines.values_list("pk", "amount"))
    data = _xlsx([["P01", "2010601", "30101", "11", 1300000, ""], ["P02", "20106", "30201", "11", 100, ""],
                  ["P02", "2010601", "30201", "11", "12.345", ""], ["P09", "2010601", "30201", "11", 5, ""],
                  ["P02", "2010601", "30201", "11", -3, ""]])
    with pytest.raises(FinanceRuleError) as exc:
        budget_import.import_budget(draft, data, clerk)
    rows = dict(exc.value.errors)
    assert sorted(rows) == [3, 4, 5, 6]
    assert "编码年度规则" in rows[3] and "20106" in rows[3]
    assert "金额精度规则" in rows[4]
    assert "P09" in rows[5]
    assert "金额非负规则" in rows[6]
    assert list(draft.lines.values_list("pk", "amount")) == before


def test_csv_import_in_gb18030_is_understood(draft, clerk):
    data = "项目编码,功能分类科目,部门经济分类,资金来源,金额,备注\nP02,2010601,30201,11,500.00,办公\n".encode("gb18030")
    assert budget_import.import_budget(draft, data, clerk) == 1
    assert draft.lines.get().note == "办公"
