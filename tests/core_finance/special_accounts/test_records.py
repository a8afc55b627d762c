"""Receipts and disbursements: approval by someone other than the creator, a balance that never
goes negative, and balanced core ledger entries that agree with the balance; voiding reverses."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.models import JournalEntry, JournalLine
from core_finance.services import ledger
from core_finance.special_accounts import posting, services
from core_finance.special_accounts.models import SpecialAccount

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


def test_approved_disbursement_posts_a_balanced_core_entry(funded, sa_clerk, sa_chief):
    tx = services.approve(disburse(funded, "400.00", sa_clerk), sa_chief)
    funded.refresh_from_db()
    assert funded.balance == D("600.00") == tx.balance_after
    entry = JournalEntry.objects.get(source=f"special:{tx.number}")
    lines = {ln.account.code: (ln.debit, ln.credit) for ln in entry.lines.select_related("account")}
    assert lines == {"5031": (D("400.00"), 0), "1031": (0, D("400.00"))}
    assert entry.date == tx.value_date and entry.created_by == sa_chief
    total = ledger.trial_balance()
    assert sum(r["debit"] for r in total) == sum(r["credit"] for r in total)
    rows = {r["account__code"]: r["balance"] for r in services.trial_balance()}
    assert rows == {"1031": D("600.00"), "4031": D("-1000.00"), "5031": D("400.00")}
    assert services.ledger_balance(funded) == funded.balance


def test_the_database_refuses_a_negative_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialAccount.objects.filter(pk=account.pk).update(balance=D("-0.01"))


def test_posted_core_lines_are_never_edited(funded):
    line = JournalLine.objects.filter(entry__source__startswith="special:").first()
    line.debit = D("1.00")
    with pytest.raises(FinanceRuleError):
        line.save()
    with pytest.raises(FinanceRuleError):
        JournalLine.objects.all().delete()


def test_a_closed_period_accepts_nothing(account, sa_clerk, sa_chief, chief):
    import datetime as dt

    tx = services.create_transaction(account, "receipt", "10.00", counterparty="x", purpose="y", user=sa_clerk,
                                     value_date=dt.date(2026, 1, 15))
    ledger.close_period(2026, 1, chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.approve(tx, sa_chief)
    assert exc.value.rule == "period_locked" and "2026-01" in exc.value.text
    account.refresh_from_db()
    tx.refresh_from_db()
    assert account.balance == 0 and tx.status == "pending"
    assert not JournalEntry.objects.filter(source__startswith="special:").exists()


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


def test_void_moves_the_balance_back_and_reverses_the_core_entry(funded, sa_clerk, sa_chief):
    tx = services.approve(disburse(funded, "400.00", sa_clerk), sa_chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.void(tx, sa_clerk, "错记")  # a clerk may not void
    assert exc.value.rule == "permission"
    voider = sa_chief
    services.void(tx, voider, "收款人账号错误，退回重付")
    funded.refresh_from_db()
    tx.refresh_from_db()
    assert tx.status == "voided" and tx.voided_by == voider
    assert funded.balance == D("1000.00") == services.ledger_balance(funded)
    original = posting.entry_of(tx)
    reversal = JournalEntry.objects.get(reverses=original)
    assert {(ln.account.code, ln.debit, ln.credit) for ln in reversal.lines.select_related("account")} == {
        ("1031", D("400.00"), 0), ("5031", 0, D("400.00"))}
    with pytest.raises(FinanceRuleError) as exc:
        services.void(tx, voider, "again")
    assert exc.value.rule == "state"
    assert AuditEvent.objects.filter(action="finance.special.void").count() == 1


def test_a_receipt_already_spent_cannot_be_voided(funded, sa_clerk, sa_chief):
    disburse(funded, "600.01", sa_clerk)  # pending: only 399.99 would stay available
    receipt = funded.transactions.get(direction="receipt")
    with pytest.raises(FinanceRuleError) as exc:
        services.void(receipt, sa_chief, "重复入账")
    assert exc.value.rule == "sa_overdraw"
    funded.refresh_from_db()
    assert funded.balance == D("1000.00") == services.ledger_balance(funded)
    assert not JournalEntry.objects.filter(reverses__isnull=False).exists()


def test_records_of_upstream_documents_are_not_voided_here(account, sa_clerk, sa_chief):
    tx = services.receive_approved(account, "50.00", counterparty="非税收入", purpose="缴专户", source="nontax:NTXJK-1",
                                   created_by=sa_clerk, approved_by=sa_chief)
    with pytest.raises(FinanceRuleError) as exc:
        services.void(tx, sa_chief, "x")
    assert exc.value.rule == "sa_void" and "nontax:NTXJK-1" in exc.value.text
