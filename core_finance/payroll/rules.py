"""Checks shared by the payroll and subsidy modules: permissions, refusals, identity numbers, masking.

Refusals reuse core finance's FinanceRuleError, so the staff screens show them like every other
rule of the finance core (core_finance.views.common.attempt).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from core_finance.errors import FinanceRuleError

PERIOD_RE = re.compile(r"^\d{6}$")


def deny(rule: str, message) -> FinanceRuleError:
    return FinanceRuleError(rule, str(message))


def require(user, perm: str, action) -> None:
    """``perm`` is ``app_label.codename``."""
    if user is None or not user.has_perm(perm):
        raise deny("permission", _("[Permission rule] you are not allowed to %(action)s.") % {"action": action})


def id_number(value) -> str:
    """A resident identity number (GB 11643-1999): 18 characters, valid birth date and check digit."""
    text = ric.compact(str(value or "").strip().upper())
    try:
        # Structure, birth date and check digit; the region code is not looked up, since region
        # codes are renamed over the years and a real person's old code must still be accepted.
        if len(text) != 18 or not text[:17].isdigit() or text[17] != ric.calc_check_digit(text):
            raise StdnumError
        ric.get_birth_date(text)
        return text
    except (StdnumError, ValueError):
        raise deny("id_number", _("[Identity number rule] “%(value)s” is not a valid resident identity number "
                                  "(GB 11643: 18 characters, a real birth date and a correct check digit).")
                   % {"value": text[:30]}) from None


def card_number(value) -> str:
    """A bank card number: 12 to 19 digits (spaces allowed on input)."""
    text = re.sub(r"\s+", "", str(value or ""))
    if not re.fullmatch(r"\d{12,19}", text):
        raise deny("card_number", _("[Bank card rule] “%(value)s” is not a bank card number (12 to 19 digits).")
                   % {"value": text[:30]})
    return text


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明 (as the disclosure rules for 惠民惠农 lists ask)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_tail(number: str, keep: int = 4) -> str:
    """Every character but the last ``keep`` becomes ``*``."""
    number = (number or "").strip()
    return "*" * max(len(number) - keep, 0) + number[-keep:]


def with_check_digit(first17: str) -> str:
    """The full identity number for its first 17 digits (used for demo data)."""
    return first17 + ric.calc_check_digit(first17 + "0")
