"""Receipts and disbursements: approval by someone other than the creator, a balance that never
goes negative, and a balanced sub-ledger that agrees with the balance."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.services import ledger
from core_finance.special_accounts import services
from core_finance.special_accounts.models import SpecialAccount, SubLedgerLine

pytestmark = pytest.mark.django_db
D = Decimal


def disburse(account, amount, user):
    return services.create_transaction(account, "disbursement", amount, counterparty="宝鸡市社会保险经办中心支出户",
                                       purpose="养老金发放", user=user)


def test_receipt_moves_the_balance_only_when_approved(account, sa_clerk, sa_chief):
    tx = services.create_transaction(account, "receipt", "250.50", counterparty="经办中心", purpose="归集",
                                     user=sa_clerk)
    assert tx.number.startswith("ZHSK") and tx.status == "pending"
    account.refresh_from_db()
    assert account.balance == 0
    services.approve(tx, sa_chief)
    account.refresh_from_db()
    assert account.balance == D("250.50")
    assert services.ledger_balance(account) == D("250.50")
    assert AuditEvent.objects.filter(action="finance.special.approve").count() == 1


def test_the_creator_never_approves(account, sa_chief):
    tx = services.create_transaction(account, "receipt", "10.00", counterparty="x", purpose="y", user=sa_chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.approve(tx, sa_chief)
    assert exc.value.rule == "creator_approves"
    account.refresh_from_db()
    assert account.balance == 0


def test_a_clerk_cannot_approve_and_an_auditor_cannot_record(funded, sa_clerk, sa_auditor):
    tx = disburse(funded, "10.00", sa_clerk)
    with pytest.raises(FinanceRuleError) as exc:
        services.approve(tx, sa_clerk)
    assert exc.value.rule == "permission"
    with pytest.raises(FinanceRuleError):
        disburse(funded, "10.00", sa_auditor)


def test_disbursement_beyond_the_available_balance_is_refused_in_chinese(funded, sa_clerk, sa_chief):
    disburse(funded, "700.00", sa_clerk)  # pending: reserves 700 of 1,000
    with pytest.raises(FinanceRuleError) as exc:
        disburse(funded, "300.01", sa_clerk)
    assert exc.value.rule == "sa_overdraw"
    assert "财政专户" in exc.value.text or "专户" in exc.value.text
    disburse(funded, "300.00", sa_clerk)
    assert services.available(funded) == 0


def test_rejected_disbursement_releases_its_reservation(funded, sa_clerk, sa_chief):
    tx = disburse(funded, "1000.00", sa_clerk)
    with pytest.raises(FinanceRuleError):
        services.reject(tx, sa_chief, "")  # a reason is required
    services.reject(tx, sa_chief, "用途不符")
    assert services.available(funded) == D("1000.00")
    with pytest.raises(FinanceRuleError) as exc:
        services.approve(tx, sa_chief)
    assert exc.value.rule == "state"


def test_approved_disbursement_posts_a_balanced_entry(funded, sa_clerk, sa_chief):
    tx = services.approve(disburse(funded, "400.00", sa_clerk), sa_chief)
    funded.refresh_from_db()
    assert funded.balance == D("600.00") == tx.balance_after
    lines = SubLedgerLine.objects.filter(transaction=tx)
    assert sum(ln.debit for ln in lines) == sum(ln.credit for ln in lines) == D("400.00")
    total = services.trial_balance()
    assert sum(r["debit"] for r in total) == sum(r["credit"] for r in total)
    assert services.ledger_balance(funded) == funded.balance


def test_the_database_refuses_a_negative_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialAccount.objects.filter(pk=account.pk).update(balance=D("-0.01"))


def test_posted_sub_ledger_lines_are_never_edited(funded):
    line = SubLedgerLine.objects.first()
    line.debit = D("1.00")
    with pytest.raises(FinanceRuleError):
        line.save()
    with pytest.raises(FinanceRuleError):
        SubLedgerLine.objects.all().delete()


def test_a_closed_period_accepts_nothing(account, sa_clerk, sa_chief, chief):
    import datetime as dt

    tx = services.create_transaction(account, "receipt", "10.00", counterparty="x", purpose="y", user=sa_clerk,
                                     value_date=dt.date(2026, 1, 15))
    ledger.close_period(2026, 1, chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.approve(tx, sa_chief)
    assert exc.value.rule == "period_locked"
    account.refresh_from_db()
    assert account.balance == 0 and not SubLedgerLine.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", 1.5])
def test_bad_amounts_are_refused(account, sa_clerk, amount):
    with pytest.raises(FinanceRuleError):
        services.create_transaction(account, "receipt", amount, counterparty="x", purpose="y", user=sa_clerk)


def test_a_closed_account_takes_no_records(account, sa_clerk):
    account.is_active = False
    account.save()
    with pytest.raises(FinanceRuleError) as exc:
        services.create_transaction(account, "receipt", "1.00", counterparty="x", purpose="y", user=sa_clerk)
    assert exc.value.rule == "sa_inactive"
