"""Repayment schedules, computed in Decimal and rounded to the fen.

Every period's interest is the outstanding principal times the period rate, rounded half up.
Rounding differences never accumulate: the last period repays whatever principal is left, so
the schedule's principal always sums exactly to the amount borrowed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    seq: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st becomes the month's last day when it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods(term_months: int, frequency: int) -> int:
    step = 12 // frequency
    if term_months <= 0 or term_months % step:
        raise ValueError("term")
    return term_months // step


def build(amount: Decimal, annual_rate: Decimal, issue_date: dt.date, term_months: int, frequency: int,
          method: str) -> list[Period]:
    """The schedule of a debt; ``annual_rate`` in percent (3.25 means 3.25 %)."""
    n = periods(term_months, frequency)
    step = 12 // frequency
    rate = Decimal(annual_rate) / Decimal(100) / Decimal(frequency)
    dates = [add_months(issue_date, step * k) for k in range(1, n + 1)]
    if method == "bullet":
        principals = [Decimal("0.00")] * (n - 1) + [amount]
    elif method == "installment":
        share = (amount / n).quantize(CENT, rounding=ROUND_DOWN)
        principals = [share] * (n - 1) + [amount - share * (n - 1)]
    elif method == "annuity":
        principals = None
    else:
        raise ValueError("method")
    out, outstanding = [], amount
    if principals is None:
        if rate == 0:
            instalment = (amount / n).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            instalment = (amount * rate / (1 - (1 + rate) ** -n)).quantize(CENT, rounding=ROUND_HALF_UP)
    for k in range(n):
        interest = (outstanding * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        if principals is not None:
            principal = principals[k]
        elif k == n - 1:
            principal = outstanding
        else:
            # Never more than what is left, even when rounding made the instalment generous.
            principal = min(outstanding, max(Decimal("0.00"), instalment - interest))
        out.append(Period(k + 1, dates[k], principal, interest))
        outstanding -= principal
    assert sum(p.principal for p in out) == amount and outstanding == 0
    return out
