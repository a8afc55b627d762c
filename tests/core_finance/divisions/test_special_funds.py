"""Special funds: a fund is traced from the county's allocation through the townships' child
indicators (each keeps its source) down to each payment, voucher, bank payment and clearing; the
monitoring figures and the Excel export; a township sees only its own branch."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from core_finance import banksim
from core_finance.divisions.models import SpecialFund
from core_finance.divisions.services import funds
from core_finance.errors import FinanceRuleError
from core_finance.models import ClearingRecord, MonitorRule, PaymentStatus
from core_finance.services import bank, indicators, payments
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(towns):
    u, agencies = towns["users"], towns["agencies"]
    MonitorRule.objects.create(code="GR01", name="向个人大额支付", kind="individual", level="orange",
                               threshold=Decimal("50000.00"))
    top = towns["issue"]("301001", "900000.00")
    children = {}
    for unit, amount in (("401001", "400000.00"), ("402001", "350000.00")):
        adj = indicators.request_adjustment("transfer", top, amount, "眉财农〔2026〕15号", u["county_clerk"],
                                            target_agency=agencies[unit])
        indicators.decide_adjustment(adj, u["county_chief"], True)
        children[unit] = top.children.get(agency=agencies[unit])
    registered = funds.register(code="ZX2026-NT01", name="高标准农田建设专项资金", year=2026, allocations=[top],
                                user=u["county_clerk"])
    paid = towns["pay"](children["401001"], "120000.00", u["a_clerk"])
    payments.approve(paid, u["county_chief"])
    flagged = towns["pay"](children["402001"], "60000.00", u["b_clerk"], payee_name="刘建国", payee_is_individual=True,
                           attachment=ContentFile(b"%PDF-1.4 x", name="gs.pdf"))
    out = bank.export_payment_file("ICBC", u["home_chief"])
    result, statement = banksim.simulate(out.content)
    bank.import_bank_file(result.encode(), "r.csv", u["home_chief"])
    bank.import_bank_file(statement.encode(), "s.csv", u["home_chief"])
    return {"fund": registered, "top": top, "children": children, "paid": paid, "flagged": flagged}


def test_the_trace_runs_from_the_allocation_to_the_bank(fund, towns):
    nodes = funds.trace(fund["fund"], towns["users"]["county_chief"])
    assert [(n.indicator.number, n.depth) for n in nodes] == [
        (fund["top"].number, 0), (fund["children"]["401001"].number, 1), (fund["children"]["402001"].number, 1)]
    assert all(n.indicator.source_id == fund["top"].pk for n in nodes[1:])
    app = nodes[1].payments[0]
    assert app == fund["paid"] and refresh(app).status == PaymentStatus.PAID
    assert app.voucher.paid_on and app.clearing == ClearingRecord.objects.get(date=app.voucher.paid_on, bank="ICBC",
                                                                              account_type="TSA")
    assert nodes[2].payments == [fund["flagged"]]


def test_the_monitoring_figures(fund, towns):
    m = funds.monitor(fund["fund"], towns["users"]["county_chief"])
    assert m["allocated"] == Decimal("900000.00") and m["distributed"] == Decimal("750000.00")
    assert m["executed"] == m["paid"] == Decimal("120000.00")
    assert m["idle"] == Decimal("780000.00") and m["idle_rate"] == Decimal("86.7")
    assert [h.application for h in m["hits"]] == [fund["flagged"]] and m["pending"] == 1


def test_a_township_sees_only_its_branch_of_the_fund(fund, towns, login):
    a_clerk = towns["users"]["a_clerk"]
    assert [n.indicator for n in funds.trace(fund["fund"], a_clerk)] == [fund["children"]["401001"]]
    m = funds.monitor(fund["fund"], a_clerk)
    assert m["executed"] == Decimal("120000.00") and m["hits"] == []
    client = login(a_clerk)
    page = client.get(f"/admin/finance/divisions/funds/{fund['fund'].pk}/").content.decode()
    assert fund["children"]["401001"].number in page and fund["children"]["402001"].number not in page
    assert fund["top"].number not in page and fund["flagged"].number not in page


def test_the_fund_screen_and_its_excel_export(fund, towns, login):
    client = login(towns["users"]["county_chief"])
    listing = client.get("/admin/finance/divisions/funds/").content.decode()
    assert "ZX2026-NT01" in listing
    page = client.get(f"/admin/finance/divisions/funds/{fund['fund'].pk}/").content.decode().replace(",", "")
    assert "900000.00" in page and "86.7" in page and fund["paid"].voucher.number in page and "向个人大额支付" in page
    book = load_workbook(io.BytesIO(client.get(f"/admin/finance/divisions/funds/{fund['fund'].pk}/?format=xlsx").content))
    summary, trace_sheet, flagged = book.worksheets
    assert dict(summary.iter_rows(min_row=2, values_only=True))["已分配"] == 750000
    numbers = [r[7] for r in trace_sheet.iter_rows(min_row=2, values_only=True)]
    assert fund["paid"].number in numbers and fund["flagged"].number in numbers
    assert [r[0] for r in flagged.iter_rows(min_row=2, values_only=True)] == [fund["flagged"].number]


def test_registering_a_fund_is_checked(towns, login):
    u, inds = towns["users"], towns["inds"]
    with pytest.raises(FinanceRuleError):  # another township's indicator
        funds.register(code="X1", name="x", year=2026, allocations=[inds["b"]], user=u["a_clerk"])
    with pytest.raises(FinanceRuleError):  # no permission
        funds.register(code="X1", name="x", year=2026, allocations=[inds["a"]], user=u["a_chief"])
    with pytest.raises(FinanceRuleError):  # wrong year
        funds.register(code="X1", name="x", year=2025, allocations=[inds["a"]], user=u["a_clerk"])
    client = login(u["county_clerk"])
    response = client.post("/admin/finance/divisions/funds/", {
        "code": "ZX-2", "name": "乡村道路养护专项", "year": 2026, "allocations": [inds["county"].pk]})
    fund = SpecialFund.objects.get(code="ZX-2")
    assert response.status_code == 302 and list(fund.allocations.all()) == [inds["county"]]
    response = client.post("/admin/finance/divisions/funds/", {
        "code": "ZX-2", "name": "重复", "year": 2026, "allocations": [inds["county"].pk]}, follow=True)
    assert "业务状态规则" in response.content.decode() and SpecialFund.objects.count() == 1
