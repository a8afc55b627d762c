"""Refunds never exceed what was paid and need another person's approval; remittance moves the
money to the treasury or into the special account; the daily reconciliation balances."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.nontax import collection, reports, services
from core_finance.nontax.models import RemittanceBatch
from core_finance.special_accounts import services as special
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def paid(notice, deliver, nt_chief):
    """Two notices paid on 2026-11-20: the special-account one with 50.00 late fee, a treasury one."""
    a, b = notice(), notice(item="fixed", amount=None, due=dt.date(2026, 12, 31), payer="李明")
    collection.import_collection_file(deliver([a, b]), "c.csv", nt_chief)
    return refresh(a), refresh(b)


def test_refunds_never_exceed_what_was_paid(paid, nt_clerk, nt_chief):
    a, _b = paid
    first = services.request_refund(a, "10000.00", "多缴", nt_clerk)
    with pytest.raises(FinanceRuleError) as exc:
        services.request_refund(a, "50.01", "多缴", nt_clerk)  # pending refunds count at once
    assert exc.value.rule == "refund_exceeds"
    services.request_refund(a, "50.00", "滞纳金减免", nt_clerk)
    services.decide_refund(first, nt_chief, True)
    assert refresh(a).refunded == D("10000.00")


def test_the_creator_never_approves_a_refund(paid, nt_chief):
    a, _b = paid
    refund = services.request_refund(a, "10.00", "多缴", nt_chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_refund(refund, nt_chief, True)
    assert exc.value.rule == "creator_approves"
    assert refresh(a).refunded == 0


def test_unpaid_notices_cannot_be_refunded(notice, nt_clerk):
    with pytest.raises(FinanceRuleError) as exc:
        services.request_refund(notice(), "1.00", "x", nt_clerk)
    assert exc.value.rule == "state"


def test_remittance_into_the_special_account_goes_through_its_service(paid, special, nt_clerk, nt_chief):
    a, _b = paid
    services.decide_refund(services.request_refund(a, "1050.00", "多缴", nt_clerk), nt_chief, True)
    batch = services.create_batch("special", nt_clerk, special_account=special)
    assert (batch.total, batch.count) == (D("9000.00"), 1)
    with pytest.raises(FinanceRuleError) as exc:
        services.request_refund(a, "1.00", "x", nt_clerk)  # remitted money is not refunded here
    assert exc.value.rule == "ntx_remitted"
    with pytest.raises(FinanceRuleError):
        services.decide_batch(batch, nt_clerk, True)  # a clerk may not approve
    services.decide_batch(batch, nt_chief, True)
    special.refresh_from_db()
    assert special.balance == D("9000.00") == special_balance(special)
    receipt = refresh(batch).special_receipt
    assert receipt.status == "approved" and receipt.source == f"nontax:{batch.number}"
    with pytest.raises(FinanceRuleError) as exc:
        services.create_batch("special", nt_clerk, special_account=special)
    assert exc.value.rule == "ntx_nothing"


def special_balance(account):
    return special.ledger_balance(account)


def test_treasury_batch_rejected_returns_its_notices(paid, nt_clerk, nt_chief):
    _a, b = paid
    batch = services.create_batch("treasury", nt_clerk)
    assert batch.total == D("80.00")
    services.decide_batch(batch, nt_chief, False)
    assert refresh(b).remittance is None
    again = services.create_batch("treasury", nt_clerk)
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_batch(again, nt_clerk, True)
    assert exc.value.rule in ("permission", "creator_approves")
    services.decide_batch(again, nt_chief, True)
    assert RemittanceBatch.objects.get(pk=again.pk).status == "approved"


def test_daily_reconciliation_balances_and_exports(paid, special, nt_clerk, nt_chief):
    a, b = paid
    services.decide_refund(services.request_refund(a, "50.00", "滞纳金减免", nt_clerk), nt_chief, True)
    services.decide_batch(services.create_batch("special", nt_clerk, special_account=special), nt_chief, True)
    today = services.today()
    days = reports.daily(dt.date(2026, 11, 19), today)
    by_day = {d.day: d for d in days}
    assert by_day[dt.date(2026, 11, 20)].collected == D("10130.00")
    assert sum(d.refunded for d in days) == D("50.00")
    assert sum(d.remitted for d in days) == D("10000.00")
    assert all(d.balanced for d in days)
    for d in days:
        assert d.collected - d.refunded == d.remitted + d.pending_change
    assert days[-1].pending == D("80.00")  # the treasury notice is not yet remitted
    sheet = load_workbook(io.BytesIO(reports.to_excel(days))).active
    assert sheet.max_row == len(days) + 1
    assert sheet.cell(row=1, column=1).value == "日期"
