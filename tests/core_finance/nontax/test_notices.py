"""Payment notices: charging standards, unique payment codes with a check digit, late fees."""

import datetime as dt
from decimal import Decimal

import pytest

from core_finance.errors import FinanceRuleError
from core_finance.nontax import services
from core_finance.nontax.models import PaymentNotice

pytestmark = pytest.mark.django_db
D = Decimal


def test_fixed_standard_fills_and_enforces_the_amount(items, nt_clerk):
    n = services.issue_notice(items["fixed"], payer_name="李明", due_date=dt.date(2026, 12, 1), user=nt_clerk)
    assert n.amount == D("80.00") and n.number.startswith("JKS")
    with pytest.raises(FinanceRuleError) as exc:
        services.issue_notice(items["fixed"], payer_name="李明", amount="90.00", due_date=dt.date(2026, 12, 1),
                              user=nt_clerk)
    assert exc.value.rule == "ntx_standard"


@pytest.mark.parametrize("amount, ok", [("999.99", False), ("1000.00", True), ("500000.00", True),
                                        ("500000.01", False), ("1.234", False)])
def test_range_standard(notice, amount, ok):
    if ok:
        assert notice(amount=amount).amount == D(amount)
    else:
        with pytest.raises(FinanceRuleError):
            notice(amount=amount)


def test_payment_codes_are_unique_and_carry_a_check_digit(notice):
    codes = [notice().payment_code for _i in range(5)]
    assert len(set(codes)) == 5
    for code in codes:
        assert len(code) == 16 and services.valid_code(code)
        wrong = code[:7] + str((int(code[7]) + 1) % 10) + code[8:]
        assert not services.valid_code(wrong)  # one mistyped digit is caught
        swapped = code[:3] + code[4] + code[3] + code[5:]
        assert swapped == code or not services.valid_code(swapped) or code[3] == code[4] or {code[3], code[4]} == {
            "0", "9"}


def test_only_permitted_staff_issue_notices(items, nt_auditor):
    with pytest.raises(FinanceRuleError) as exc:
        services.issue_notice(items["fixed"], payer_name="李明", due_date=dt.date(2026, 12, 1), user=nt_auditor)
    assert exc.value.rule == "permission"
    assert not PaymentNotice.objects.exists()


@pytest.mark.parametrize("paid_on, fee", [
    (dt.date(2026, 11, 10), "0.00"),  # on the due date
    (dt.date(2026, 11, 11), "5.00"),  # one day late: 10,000 × 0.05%
    (dt.date(2026, 11, 30), "100.00"),  # twenty days
    (dt.date(2033, 1, 1), "10000.00"),  # capped at the principal
])
def test_late_fee(notice, paid_on, fee):
    n = notice()
    assert services.amount_due(n, paid_on) == (D(fee), D("10000.00") + D(fee))


def test_late_fee_rounds_half_up_to_the_fen():
    assert services.late_fee(D("33.33"), dt.date(2026, 1, 1), dt.date(2026, 1, 4), D("0.0005")) == D("0.05")


def test_cancel_needs_a_reason_and_an_issued_notice(notice, nt_clerk):
    n = notice()
    with pytest.raises(FinanceRuleError):
        services.cancel_notice(n, nt_clerk, " ")
    services.cancel_notice(n, nt_clerk, "重复开具")
    with pytest.raises(FinanceRuleError) as exc:
        services.cancel_notice(n, nt_clerk, "再次作废")
    assert exc.value.rule == "state"
