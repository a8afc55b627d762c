"""Parallel disbursements on PostgreSQL never take a special account below zero."""

from decimal import Decimal

import pytest

from core_finance.models import JournalEntry, JournalLine
from core_finance.services import ledger
from core_finance.special_accounts import services
from core_finance.special_accounts.models import SpecialTransaction
from tests.core_finance.special_accounts.conftest import module_user
from tests.core_finance.test_concurrency_pg import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_parallel_disbursements_never_overdraw(funded, sa_clerk):
    chiefs = [module_user(f"approver{i}", "科长") for i in range(10)]
    results = run_parallel(20, lambda i: services.create_transaction(
        funded, "disbursement", "100.00", counterparty=f"收款人{i}", purpose="发放", user=sa_clerk).pk)
    outcomes = [r[0] for r in results]
    assert outcomes.count("error") == 0, results
    assert outcomes.count("ok") == 10
    assert {r[1] for r in results if r[0] == "refused"} == {"sa_overdraw"}
    pending = [pk for kind, pk in results if kind == "ok"]
    approved = run_parallel(10, lambda i: services.approve(SpecialTransaction.objects.get(pk=pending[i]), chiefs[i]).pk)
    assert [r[0] for r in approved].count("ok") == 10, approved
    funded.refresh_from_db()
    assert funded.balance == D("0.00") == services.ledger_balance(funded)
    assert sorted(t.balance_after for t in SpecialTransaction.objects.filter(direction="disbursement")) == [
        D(100 * i) for i in range(10)]
    assert JournalEntry.objects.filter(source__startswith="special:").count() == 11
    assert JournalLine.objects.filter(entry__source__startswith="special:").count() == 22
    total = ledger.trial_balance()
    assert sum(r["debit"] for r in total) == sum(r["credit"] for r in total)


def test_parallel_approvals_of_one_record_post_it_once(funded, sa_clerk):
    chiefs = [module_user(f"approver{i}", "科长") for i in range(6)]
    tx = services.create_transaction(funded, "disbursement", "600.00", counterparty="x", purpose="y", user=sa_clerk)
    results = run_parallel(6, lambda i: services.approve(tx, chiefs[i]).pk)
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[1] for r in results if r[0] == "refused"} == {"state"}
    funded.refresh_from_db()
    assert funded.balance == D("400.00") == services.ledger_balance(funded)
    assert JournalEntry.objects.filter(source=f"special:{tx.number}").count() == 1
