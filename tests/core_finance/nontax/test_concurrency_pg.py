"""On PostgreSQL: parallel deliveries of the same collection file settle each code exactly once,
and parallel refund requests never exceed what was paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from core_finance.models import JournalEntry
from core_finance.nontax import collection, services
from core_finance.nontax.models import CollectionFile, DuplicateLine, Refund, Settlement
from core_finance.services import ledger
from tests.core_finance.test_concurrency_pg import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_parallel_deliveries_settle_each_code_once(notice, deliver, nt_clerk):
    notices = [notice(payer=f"缴款人{i}") for i in range(10)]
    data = deliver(notices, dt.date(2026, 11, 20))
    results = run_parallel(6, lambda i: collection.import_collection_file(data, f"copy{i}.csv", nt_clerk).pk)
    assert [r[0] for r in results] == ["ok"] * 6, results
    assert Settlement.objects.count() == 10
    assert Settlement.objects.aggregate(s=Sum("total"))["s"] == D("100500.00")
    assert CollectionFile.objects.aggregate(s=Sum("settled"))["s"] == 10
    assert CollectionFile.objects.aggregate(s=Sum("total"))["s"] == D("100500.00")
    assert DuplicateLine.objects.count() == 50
    # One core entry for the one delivery that settled; the repeats post nothing.
    assert JournalEntry.objects.filter(source__startswith="nontax:collect:").count() == 1
    balances = {r["account__code"]: r for r in ledger.trial_balance()}
    assert balances["1041"]["balance"] == -balances["2031"]["balance"] == D("100500.00")


def test_parallel_refund_requests_never_exceed_the_payment(notice, deliver, nt_clerk):
    n = notice()
    collection.import_collection_file(deliver([n]), "c.csv", nt_clerk)  # 10,050.00 paid
    results = run_parallel(10, lambda i: services.request_refund(n, "2000.00", f"退付{i}", nt_clerk).pk)
    assert [r[0] for r in results].count("ok") == 5, results
    assert {r[1] for r in results if r[0] == "refused"} == {"refund_exceeds"}
    assert Refund.objects.aggregate(s=Sum("amount"))["s"] == D("10000.00")
