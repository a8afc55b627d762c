"""Money: always ``Decimal`` with at most two decimals, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import models

from core_finance.errors import refuse

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value, *, positive: bool = False) -> Decimal:
    """Parse ``value`` into a Decimal amount or refuse it with the rule it breaks.

    Floats are refused: they cannot represent most amounts exactly.
    """
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise refuse("amount_invalid", value=value)
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            raise refuse("amount_invalid", value=value) from None
    if not amount.is_finite():
        raise refuse("amount_invalid", value=value)
    if amount != amount.quantize(CENT):
        raise refuse("amount_precision", value=value)
    if amount < 0:
        raise refuse("amount_negative", value=value)
    if positive and amount == 0:
        raise refuse("amount_positive", value=value)
    return amount.quantize(CENT)


def validate_money(value) -> None:
    """Model/form field validator."""
    to_money(value)


def yuan(value: Decimal | None) -> str:
    """Display with thousands separators and two decimals."""
    return f"{(value or ZERO):,.2f}"


class MoneyField(models.DecimalField):
    """DecimalField(18, 2) that refuses (rather than rounds) extra decimals and negatives at save.

    Django would otherwise round 12.345 to 12.35 silently when saving; refusing keeps
    "nothing changed" true even for a code path that forgot to validate.
    """

    def __init__(self, *args, signed: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        self.signed = signed
        super().__init__(*args, **kwargs)
        if not signed:
            self.validators.append(validate_money)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.signed:
            kwargs["signed"] = True
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is not None:
            if isinstance(value, float):
                raise refuse("amount_invalid", value=value)
            if self.signed:
                magnitude = to_money(abs(Decimal(value)))
                value = magnitude if Decimal(value) >= 0 else -magnitude
            else:
                value = to_money(value)
            setattr(model_instance, self.attname, value)
        return value

    def from_db_value(self, value, expression, connection):
        # SQLite sums decimals as floats (Sum("amount") of 3.33 three times comes back as
        # 9.99000000000001); every amount, stored or aggregated, is whole cents.
        if value is None:
            return value
        return Decimal(value).quantize(CENT)
