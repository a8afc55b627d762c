"""Non-tax revenue posts to the core ledger: settlements with their late fees, refunds and
remittances each post balanced entries in their own transaction, the balances agree with the
module's own figures, and a closed period refuses a settlement dated in it."""

import datetime as dt
from decimal import Decimal

import pytest

from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.models import JournalEntry, JournalLine
from core_finance.nontax import collection, reports, services
from core_finance.nontax.models import CollectionFile, RemittanceBatch, Settlement
from core_finance.services import ledger
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db
D = Decimal


def balances() -> dict:
    return {r["account__code"]: r["balance"] for r in ledger.trial_balance()}


def assert_balanced():
    rows = ledger.trial_balance()
    assert sum(r["debit"] for r in rows) == sum(r["credit"] for r in rows)


def pending_today():
    return reports.daily(dt.date(2026, 11, 1), services.today())[-1].pending


def test_settlement_refund_and_remittance_agree_with_the_modules_figures(notice, deliver, items, special, nt_clerk,
                                                                         nt_chief):
    a = notice()  # special-account item, paid ten days late: 10,000.00 + 50.00 late fee
    b = notice(item="fixed", amount=None, due=dt.date(2026, 12, 31), payer="李明")  # treasury item, 80.00
    upload = collection.import_collection_file(deliver([a, b]), "c.csv", nt_chief)
    entry = JournalEntry.objects.get(source=f"nontax:collect:{upload.pk}")
    assert entry.date == dt.date(2026, 11, 20)
    lines = {(ln.account.code, ln.debit, ln.credit, ln.agency_id) for ln in entry.lines.select_related("account")}
    city, land = items["range"].agency_id, items["fixed"].agency_id
    assert lines == {("1041", D("10050.00"), 0, city), ("2031", 0, D("10000.00"), city),
                     ("2031", 0, D("50.00"), city),  # the late fee, on its own line
                     ("1041", D("80.00"), 0, land), ("2031", 0, D("80.00"), land)}
    assert_balanced()
    assert balances()["1041"] == -balances()["2031"] == D("10130.00") == pending_today()

    refund = services.request_refund(refresh(a), "1050.00", "多缴", nt_clerk)
    assert not JournalEntry.objects.filter(source=f"nontax:refund:{refund.number}").exists()  # pending: nothing
    services.decide_refund(refund, nt_chief, True)
    assert JournalEntry.objects.filter(source=f"nontax:refund:{refund.number}").count() == 1
    assert balances()["1041"] == D("9080.00") == pending_today()

    to_special = services.decide_batch(services.create_batch("special", nt_clerk, special_account=special),
                                       nt_chief, True)
    to_treasury = services.decide_batch(services.create_batch("treasury", nt_clerk), nt_chief, True)
    assert JournalEntry.objects.filter(source=f"nontax:remit:{to_treasury.number}").count() == 1
    receipt_entry = JournalEntry.objects.get(source=f"special:{to_special.special_receipt.number}")
    assert {ln.account.code for ln in receipt_entry.lines.select_related("account")} == {"1031", "4031", "2031",
                                                                                         "1041"}
    assert_balanced()
    special.refresh_from_db()
    totals = balances()
    treasury_remitted = sum(b.total for b in RemittanceBatch.objects.filter(target="treasury", status="approved"))
    assert totals["1041"] == totals["2031"] == D("0.00") == pending_today()
    assert -totals["4021"] == treasury_remitted == D("80.00")
    assert totals["1031"] == -totals["4031"] == special.balance == D("9000.00")
    collected = sum(s.total for s in Settlement.objects.all())
    assert collected - refund.amount == -totals["4021"] - totals["4031"]


def test_a_closed_period_refuses_a_settlement_dated_in_it(notice, deliver, nt_chief, chief):
    n = notice()
    ledger.close_period(2026, 10, chief)
    with pytest.raises(RowErrors) as exc:
        collection.import_collection_file(deliver([n], paid_on=dt.date(2026, 10, 20)), "c.csv", nt_chief)
    (row, message), = exc.value.errors
    assert row == 3 and "2026-10" in message and "已结账锁定" in message
    assert refresh(n).status == "issued"
    assert not Settlement.objects.exists() and not CollectionFile.objects.exists()
    assert not JournalEntry.objects.filter(source__startswith="nontax:").exists()


def test_a_refund_is_refused_while_today_is_closed(notice, deliver, nt_clerk, nt_chief, chief):
    n = notice()
    collection.import_collection_file(deliver([n]), "c.csv", nt_chief)
    refund = services.request_refund(n, "100.00", "多缴", nt_clerk)
    today = services.today()
    ledger.close_period(today.year, today.month, chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_refund(refund, nt_chief, True)
    assert exc.value.rule == "period_locked"
    assert refresh(refund).status == "pending" and refresh(n).refunded == 0
    assert not JournalLine.objects.filter(entry__source__startswith="nontax:refund").exists()
