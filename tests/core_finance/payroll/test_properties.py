"""Property: for any standing amounts and rates, every person's gross = net + withholdings exactly,
every line has two decimals, and the run totals are the sums of the payslips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core_finance.errors import FinanceRuleError
from core_finance.payroll.services import runs
from core_finance.payroll.services.calc import compute_person, fen
from tests.core_finance.helpers import rolled_back
from tests.core_finance.payroll.conftest import PERIOD

money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
rate = st.decimals(min_value=0, max_value=Decimal("30"), places=4)


class Item:
    def __init__(self, pk, kind, method="fixed", rate=None, in_base=False):
        self.pk, self.kind, self.method, self.rate, self.in_base = pk, kind, method, rate, in_base


@given(basic=money, allowance=money, merit=money, r1=rate, r2=rate, tax=st.decimals(
    min_value=0, max_value=Decimal("500"), places=2))
def test_gross_equals_net_plus_withholdings_for_any_person(basic, allowance, merit, r1, r2, tax):
    items = [Item(1, "earning", in_base=True), Item(2, "earning", in_base=True), Item(3, "earning"),
             Item(4, "withholding", "rate", r1), Item(5, "withholding", "rate", r2), Item(6, "withholding")]
    try:
        pay = compute_person(items, {1: basic, 2: allowance, 3: merit, 6: tax})
    except FinanceRuleError as exc:  # refused only when the withholdings really exceed the gross
        base = basic + allowance
        assert exc.rule == "negative_net"
        assert fen(base * r1 / 100) + fen(base * r2 / 100) + tax > base + merit
        return
    assert pay.gross == pay.net + pay.withholdings
    assert pay.gross == basic + allowance + merit
    assert all(a == a.quantize(Decimal("0.01")) for _i, a in pay.lines)
    assert pay.net >= 0


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(money, money, st.decimals(min_value=0, max_value=Decimal("50"), places=2)),
                       min_size=1, max_size=5))
def test_run_totals_balance_for_any_staff(agency, items, hire, pclerk, wage_indicator, people):
    with rolled_back():
        for n, (basic, allowance, tax) in enumerate(people):
            hire(f"员工{n}", {"JBGZ": basic + 100, "JTBT": allowance, "GS": tax})
        run = runs.create(agency, PERIOD, wage_indicator, pclerk)
        slips = list(run.slips.all())
        assert run.gross == run.net + run.withholdings
        assert run.gross == sum(s.gross for s in slips) and run.net == sum(s.net for s in slips)
        assert all(s.gross == s.net + s.withholdings for s in slips)
