"""The demo loads twice without change, and its data keeps every invariant of both modules."""

import pytest

from core_finance.nontax import reports
from core_finance.nontax.demo import load_demo
from core_finance.nontax.models import DuplicateLine, PaymentNotice, RemittanceBatch, Settlement
from core_finance.services import ledger
from core_finance.services.base import today
from core_finance.special_accounts import services as special
from core_finance.special_accounts.models import SpecialAccount, SpecialTransaction, StatementLine

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_consistent():
    load_demo()
    counts = (PaymentNotice.objects.count(), Settlement.objects.count(), SpecialTransaction.objects.count())
    load_demo()
    assert (PaymentNotice.objects.count(), Settlement.objects.count(), SpecialTransaction.objects.count()) == counts
    assert counts[1] == 3 and DuplicateLine.objects.count() == 1
    assert RemittanceBatch.objects.filter(status="pending", target="treasury").count() == 1
    for account in SpecialAccount.objects.all():
        assert account.balance >= 0 and account.balance == special.ledger_balance(account)
    assert StatementLine.objects.filter(matched__isnull=True).count() == 1
    rows = ledger.trial_balance()
    assert sum(r["debit"] for r in rows) == sum(r["credit"] for r in rows)
    end = today()
    days = reports.daily(end.replace(day=1) if end.day > 7 else end, end)
    assert all(d.balanced for d in days)
