"""Repayment schedules against schedules computed by hand, and their exact principal."""

import datetime as dt
from decimal import Decimal as D

import pytest

from core_finance.debt.schedule import add_months, build


def rows(schedule):
    return [(p.seq, p.due_date, p.principal, p.interest) for p in schedule]


def test_equal_instalments_match_the_hand_computed_schedule():
    # 1 200.00 at 12 % a year, monthly, 3 months: r = 1 %, instalment = 1200·0.01/(1−1.01⁻³) = 408.03.
    # Month 1: interest 12.00, principal 396.03, left 803.97; month 2: interest 8.04 (8.0397),
    # principal 399.99, left 403.98; month 3: interest 4.04 (4.0398), the rest 403.98 (408.02 paid).
    got = rows(build(D("1200.00"), D("12"), dt.date(2026, 1, 31), 3, 12, "annuity"))
    assert got == [(1, dt.date(2026, 2, 28), D("396.03"), D("12.00")),
                   (2, dt.date(2026, 3, 31), D("399.99"), D("8.04")),
                   (3, dt.date(2026, 4, 30), D("403.98"), D("4.04"))]


def test_principal_in_equal_parts_matches_the_hand_computed_schedule():
    # 1 000.00 at 6 % a year, half-yearly, 18 months: 333.33 + 333.33 + 333.34; interest at 3 % of what is left.
    got = rows(build(D("1000.00"), D("6"), dt.date(2025, 3, 15), 18, 2, "installment"))
    assert got == [(1, dt.date(2025, 9, 15), D("333.33"), D("30.00")),
                   (2, dt.date(2026, 3, 15), D("333.33"), D("20.00")),
                   (3, dt.date(2026, 9, 15), D("333.34"), D("10.00"))]


def test_principal_at_maturity_pays_interest_every_year_and_principal_last():
    got = rows(build(D("100000000.00"), D("3.25"), dt.date(2024, 6, 20), 36, 1, "bullet"))
    assert got == [(1, dt.date(2025, 6, 20), D("0.00"), D("3250000.00")),
                   (2, dt.date(2026, 6, 20), D("0.00"), D("3250000.00")),
                   (3, dt.date(2027, 6, 20), D("100000000.00"), D("3250000.00"))]


@pytest.mark.parametrize("amount,rate,term,freq,method", [
    ("30000000.00", "4.1", 120, 4, "annuity"), ("0.07", "3.5", 12, 12, "installment"),
    ("99999.99", "0", 24, 12, "annuity"), ("1234567.89", "7.1234", 240, 12, "annuity"),
    ("80000000.00", "3.08", 84, 2, "installment"), ("10.00", "100", 60, 12, "annuity"),
])
def test_the_principal_always_sums_exactly_to_the_amount(amount, rate, term, freq, method):
    schedule = build(D(amount), D(rate), dt.date(2026, 1, 31), term, freq, method)
    assert sum(p.principal for p in schedule) == D(amount)
    assert all(p.principal >= 0 and p.interest >= 0 for p in schedule)
    assert all(p.principal == p.principal.quantize(D("0.01")) for p in schedule)


def test_month_ends_stay_month_ends():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)
