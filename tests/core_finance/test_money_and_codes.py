"""Money is Decimal with at most two decimals; code tables are versioned by year and exchanged as files."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.models import ClassificationCode, CodeTable, EconomicMapping
from core_finance.money import to_money
from core_finance.services import codes as code_service
from tests.core_finance.conftest import load_year

pytestmark = pytest.mark.django_db


@given(st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2, allow_nan=False))
def test_amounts_with_two_decimals_round_trip_exactly(value):
    assert to_money(str(value)) == value
    assert to_money(value) == value


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999999"), places=3, allow_nan=False).filter(
    lambda d: d != d.quantize(Decimal("0.01"))))
def test_more_than_two_decimals_is_refused_not_rounded(value):
    with pytest.raises(FinanceRuleError) as exc:
        to_money(value)
    assert exc.value.rule == "amount_precision"
    assert "金额精度规则" in exc.value.text and "两位小数" in exc.value.text


@pytest.mark.parametrize("value, rule", [("-1.00", "amount_negative"), ("abc", "amount_invalid"),
                                         (1.5, "amount_invalid"), ("NaN", "amount_invalid")])
def test_bad_amounts_are_refused_with_the_rule(value, rule):
    with pytest.raises(FinanceRuleError) as exc:
        to_money(value)
    assert exc.value.rule == rule


def test_the_real_subset_is_hierarchical_and_mapped(codes):
    leaf = ClassificationCode.objects.get(year=2026, table=CodeTable.FUNCTIONAL, code="2010601")
    assert leaf.name == "行政运行" and leaf.is_leaf and leaf.level == 3
    assert leaf.parent.code == "20106" and leaf.parent.name == "财政事务"
    assert leaf.parent.parent.code == "201" and leaf.parent.parent.name == "一般公共服务支出"
    office = ClassificationCode.objects.get(year=2026, table=CodeTable.DEPT_ECONOMIC, code="30201")
    assert office.name == "办公费" and office.parent.code == "302"
    assert EconomicMapping.objects.get(dept_code=office).gov_code.code == "50201"
    kinds = dict(ClassificationCode.objects.filter(year=2026, table=CodeTable.PAYMENT_TYPE).values_list(
        "code", "payment_kind"))
    assert kinds == {"5201": "direct", "8202": "authorized", "8203": "card"}


def test_leaf_codes_are_checked_against_their_year(codes):
    assert code_service.leaf_code(CodeTable.FUNCTIONAL, 2026, "2010601").code == "2010601"
    with pytest.raises(FinanceRuleError) as exc:
        code_service.leaf_code(CodeTable.FUNCTIONAL, 2025, "2010601")  # 2025 not loaded
    assert exc.value.rule == "code_invalid"
    assert "编码年度规则" in exc.value.text and "2010601" in exc.value.text and "2025" in exc.value.text
    with pytest.raises(FinanceRuleError):
        code_service.leaf_code(CodeTable.FUNCTIONAL, 2026, "20106")  # a 款, not a leaf
    load_year(2025)
    assert code_service.leaf_code(CodeTable.FUNCTIONAL, 2025, "2010601").year == 2025


def test_export_then_import_round_trips_xlsx_and_csv(codes, clerk):
    data = code_service.export_codes(2026, "xlsx")
    sheet = load_workbook(__import__("io").BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("年度", "代码表", "编码", "名称")
    assert (2026, "功能分类", "2010601", "行政运行", None, None) in rows
    ClassificationCode.objects.filter(year=2026, table=CodeTable.FUNCTIONAL, code="2010699").update(name="x")
    result = code_service.import_codes(data, clerk)
    assert result["created"] == 0 and result["mapped"] > 30
    assert ClassificationCode.objects.get(year=2026, code="2010699", table="functional").name == "其他财政事务支出"
    csv_bytes = code_service.export_codes(2026, "csv").replace(b"\n2026,", b"\n2027,")
    created = code_service.import_codes(csv_bytes, clerk)["created"]
    assert created == ClassificationCode.objects.filter(year=2026).count()
    assert EconomicMapping.objects.filter(year=2027).count() == EconomicMapping.objects.filter(year=2026).count()


def test_a_bad_file_is_refused_row_by_row_and_nothing_changes(codes, clerk):
    before = ClassificationCode.objects.count()
    data = ("年度,代码表,编码,名称,支付方式类别,对应政府经济分类\n"
            "2027,功能分类,201,一般公共服务支出,,\n"
            "2027,功能分类,21099,缺上级,,\n"
            "2027,功能分类,2019,位数不对,,\n"
            "2027,部门经济分类,30201,办公费,,59999\n"
            "2027,支付方式,5201,财政直接支付,,\n").encode()
    with pytest.raises(FinanceRuleError) as exc:
        code_service.import_codes(data, clerk)
    rows = dict(exc.value.errors)
    assert set(rows) == {3, 4, 5, 6}
    assert "21099" in rows[3] and "210" in rows[3] and 2 not in rows
    assert "30201" in rows[5]
    assert "第3行" in exc.value.text and "导入规则" in exc.value.text
    assert ClassificationCode.objects.count() == before


def test_importing_codes_needs_the_permission(codes, auditor):
    with pytest.raises(FinanceRuleError) as exc:
        code_service.import_codes(b"year,table,code,name\n", auditor)
    assert exc.value.rule == "permission" and "权限规则" in exc.value.text


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(min_size=1, max_size=9))
def test_arbitrary_code_strings_never_pass_as_leaf_codes_unless_they_exist(codes, text):
    leaves = set(ClassificationCode.objects.filter(year=2026, table="functional", is_leaf=True).values_list(
        "code", flat=True))
    if text.strip() in leaves:
        return
    with pytest.raises(FinanceRuleError):
        code_service.leaf_code(CodeTable.FUNCTIONAL, 2026, text)
