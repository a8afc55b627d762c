"""Townships spending a distributed special fund at the same time, on real PostgreSQL: nobody
overshoots their branch, the county's allocation is untouched, and the fund sees every reservation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core_finance.divisions.services import funds
from core_finance.services import indicators
from tests.core_finance.helpers import refresh
from tests.core_finance.test_concurrency_pg import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_township_payments_on_a_special_fund(towns):
    u, agencies = towns["users"], towns["agencies"]
    top = towns["issue"]("301001", "900000.00")
    children = {}
    for unit, amount in (("401001", "400000.00"), ("402001", "350000.00")):
        adj = indicators.request_adjustment("transfer", top, amount, "眉财农〔2026〕15号", u["county_clerk"],
                                            target_agency=agencies[unit])
        indicators.decide_adjustment(adj, u["county_chief"], True)
        children[unit] = top.children.get(agency=agencies[unit])
    fund = funds.register(code="ZX-PG", name="高标准农田建设专项资金", year=2026, allocations=[top],
                          user=u["county_clerk"])

    def work(i):
        unit, clerk = ("401001", "a_clerk") if i % 2 == 0 else ("402001", "b_clerk")
        return towns["pay"](children[unit], "50000.00", u[clerk], payee_name=f"施工单位{i}").pk

    results = run_parallel(20, work)
    outcomes = [r[0] for r in results]
    assert outcomes.count("error") == 0, results
    assert outcomes.count("ok") == 15  # 8 × 50,000 ≤ 400,000 and 7 × 50,000 ≤ 350,000
    assert {r[1] for r in results if r[0] == "refused"} == {"indicator_overspend"}
    assert refresh(children["401001"]).balance == Decimal("0.00")
    assert refresh(children["402001"]).balance == Decimal("0.00")
    assert refresh(top).balance == Decimal("150000.00")
    figures = funds.monitor(fund, u["county_chief"])
    assert figures["pending"] == 15 and figures["distributed"] == Decimal("750000.00")
