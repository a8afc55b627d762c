"""One person's monthly pay from standing amounts: pure arithmetic, rounding to the fen explicitly.

Earnings are fixed amounts; a percentage withholding is rate × contribution base (the earnings
marked ``in_base``), rounded half-up to the fen per line. Gross = net + withholdings holds exactly
because net is derived by subtraction of already-rounded lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core_finance.money import CENT, ZERO
from core_finance.payroll.rules import deny

HUNDRED = Decimal(100)


@dataclass
class PersonPay:
    lines: list = field(default_factory=list)  # (item, amount)
    gross: Decimal = ZERO
    withholdings: Decimal = ZERO
    net: Decimal = ZERO


def fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute_person(items, amounts: dict, who: str = "") -> PersonPay:
    """``items``: active pay items in display order; ``amounts``: item id → standing amount."""
    pay = PersonPay()
    base = ZERO
    for item in items:
        if item.kind != "earning":
            continue
        amount = amounts.get(item.pk, ZERO)
        if amount:
            pay.lines.append((item, amount))
            pay.gross += amount
            if item.in_base:
                base += amount
    for item in items:
        if item.kind != "withholding":
            continue
        amount = fen(base * item.rate / HUNDRED) if item.method == "rate" else amounts.get(item.pk, ZERO)
        if amount:
            pay.lines.append((item, amount))
            pay.withholdings += amount
    pay.net = pay.gross - pay.withholdings
    if pay.net < 0:
        raise deny("negative_net", _("[Payroll rule] the withholdings of %(who)s (%(withholdings)s yuan) exceed "
                                     "the gross pay (%(gross)s yuan).")
                   % {"who": who, "withholdings": pay.withholdings, "gross": pay.gross})
    return pay
