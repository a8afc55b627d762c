"""The agent bank round trip through files, daily clearing, and the double-entry ledger."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from core_finance import banksim
from core_finance.errors import FinanceRuleError
from core_finance.models import (
    AccountingPeriod,
    BankFile,
    ClearingRecord,
    JournalEntry,
    JournalLine,
    PaymentApplication,
    PaymentStatus,
)
from core_finance.services import bank, ledger, payments
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def approved(make_indicator, pay, chief):
    """Three approved vouchers of one bank: a direct payment, an authorized one, one to a bad account."""
    ind = make_indicator("10000.00")
    apps = [pay(ind, "1000.00"), pay(ind, "250.00", payment_type="8202"),
            pay(ind, "99.00", payee_account="BAD-000")]
    for app in apps:
        payments.approve(app, chief)
    return ind, apps


def round_trip(chief, refunds=None):
    out = bank.export_payment_file("ICBC", chief)
    result, statement = banksim.simulate(out.content, return_accounts=["BAD-"], refunds=refunds or {})
    return out, bank.import_bank_file(result.encode(), "RESULT.csv", chief), statement


def test_payment_file_bank_results_and_reconciliation(approved, chief, tmp_path):
    ind, (direct, authorized, bad) = approved
    out, result, statement = round_trip(chief, refunds={})
    assert out.lines == 3 and out.total == D("1349.00") and out.content.startswith("#JINCAI-PAY,1,ICBC,")
    assert "payee_account" in out.content.splitlines()[1]
    assert {refresh(a).status for a in (direct, authorized)} == {PaymentStatus.PAID}
    assert refresh(bad).status == PaymentStatus.RETURNED and bad.voucher.return_reason
    assert refresh(ind).balance == D("10000.00") - D("1250.00")  # the returned amount came back
    bank.import_bank_file(statement.encode(), "STATEMENT.csv", chief)
    records = {r.account_type: r for r in ClearingRecord.objects.all()}
    assert set(records) == {"TSA", "ZBA"}
    for r in records.values():
        assert r.reconciled and r.paid - r.refunded == r.cleared == r.bank_cleared
    assert records["TSA"].paid == D("1000.00")


def test_refunds_through_the_bank_restore_and_reconcile(approved, chief):
    ind, (direct, _authorized, _bad) = approved
    _out, _result, statement = round_trip(chief, refunds={f"{direct.voucher.number}": "100.00"})
    assert refresh(direct).refunded == D("100.00")
    assert refresh(ind).balance == D("10000.00") - D("1250.00") + D("100.00")
    bank.import_bank_file(statement.encode(), "STATEMENT.csv", chief)
    tsa = ClearingRecord.objects.get(account_type="TSA")
    assert (tsa.paid, tsa.refunded, tsa.cleared, tsa.reconciled) == (D("1000.00"), D("100.00"), D("900.00"), True)


def test_the_same_bank_file_twice_is_not_applied_twice(approved, chief):
    ind, _apps = approved
    out = bank.export_payment_file("ICBC", chief)
    result, _statement = banksim.simulate(out.content, return_accounts=["BAD-"])
    first = bank.import_bank_file(result.encode(), "R.csv", chief)
    balance, entries = refresh(ind).balance, JournalEntry.objects.count()
    again = bank.import_bank_file(result.encode(), "R-copy.csv", chief)
    assert again.pk == first.pk and refresh(ind).balance == balance and JournalEntry.objects.count() == entries


def test_a_statement_that_disagrees_is_flagged(approved, chief):
    out, _result, statement = round_trip(chief)
    wrong = statement.replace("1000.00,0.00,1000.00", "1000.00,0.00,999.00").replace(
        "1000.00,0.00,999.00", "999.00,0.00,999.00")
    bank.import_bank_file(wrong.encode(), "STATEMENT.csv", chief)
    tsa = ClearingRecord.objects.get(account_type="TSA")
    assert not tsa.reconciled and tsa.difference == D("1.00")


def test_a_bad_result_file_is_refused_with_the_line_and_changes_nothing(approved, chief):
    ind, apps = approved
    out = bank.export_payment_file("ICBC", chief)
    result, _ = banksim.simulate(out.content)
    lines = result.splitlines()
    index = next(i for i, line in enumerate(lines) if ",250.00," in line)
    lines[index] = lines[index].replace("250.00", "251.00")
    before = (refresh(ind).balance, [refresh(a).status for a in apps], JournalEntry.objects.count())
    with pytest.raises(FinanceRuleError) as exc:
        bank.import_bank_file("\n".join(lines).encode(), "bad.csv", chief)
    assert exc.value.rule == "bank_file" and f"第{index + 1}行" in exc.value.text and "代理银行文件规则" in exc.value.text
    assert (refresh(ind).balance, [refresh(a).status for a in apps], JournalEntry.objects.count()) == before
    assert not BankFile.objects.filter(kind="result").exists()
    with pytest.raises(FinanceRuleError):
        bank.import_bank_file(b"garbage\x00", "x.csv", chief)


def test_the_simulator_runs_as_a_program_on_files(approved, chief, tmp_path, settings):
    out = bank.export_payment_file("ICBC", chief)
    path = tmp_path / out.name
    path.write_text(out.content, encoding="utf-8")
    assert banksim.main([str(path), str(tmp_path / "bank"), "--return-account", "BAD-"]) == 0
    files = sorted((tmp_path / "bank").iterdir())
    assert [f.name.split("_")[0] for f in files] == ["RESULT", "STATEMENT"]
    incoming = settings.JINCAI_SIDE_DIR / "finance" / "bank" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    for f in files:
        (incoming / f.name).write_bytes(f.read_bytes())
    imported = bank.import_incoming(chief)
    assert [f.kind for f in imported] == ["result", "statement"]
    assert PaymentApplication.objects.filter(status=PaymentStatus.PAID).count() == 2


# --- ledger -------------------------------------------------------------------------------------

def test_every_entry_balances_and_the_books_tie_to_the_indicators(approved, chief):
    round_trip(chief)
    for entry in JournalEntry.objects.all():
        totals = entry.lines.aggregate(d=Sum("debit"), c=Sum("credit"))
        assert totals["d"] == totals["c"] > 0
    balances = {row["account__code"]: row["balance"] for row in ledger.trial_balance()}
    ind, _apps = approved
    assert balances[ledger.AVAILABLE] == refresh(ind).balance  # 可用指标 = the indicator's balance
    assert sum(balances.values()) == 0


def test_unbalanced_or_one_sided_entries_are_refused(db):
    before = JournalEntry.objects.count()
    with pytest.raises(FinanceRuleError) as exc:
        ledger.post("x", [ledger.dr(ledger.AVAILABLE, D("10.00")), ledger.cr(ledger.SOURCE, D("9.99"))])
    assert exc.value.rule == "ledger_unbalanced" and "借贷平衡规则" in exc.value.text
    with pytest.raises(FinanceRuleError):
        ledger.post("x", [ledger.Line(ledger.AVAILABLE, debit=D("1.00"), credit=D("1.00")),
                          ledger.cr(ledger.SOURCE, D("1.00"))])
    assert JournalEntry.objects.count() == before


def test_posted_entries_are_never_edited_only_reversed(make_indicator, chief):
    make_indicator("100.00")
    entry = JournalEntry.objects.get()
    entry.memo = "改"
    for action in (entry.save, entry.delete, lambda: JournalEntry.objects.update(memo="改"),
                   lambda: JournalLine.objects.filter(entry=entry).update(debit=D("1.00")),
                   lambda: entry.lines.first().save()):
        with pytest.raises(FinanceRuleError) as exc:
            action()
        assert exc.value.rule == "posted_immutable" and "冲销" in exc.value.text
    reversal = ledger.reverse(entry, chief, "录入错误")
    assert reversal.reverses_id == entry.pk
    assert {(ln.account.code, ln.debit, ln.credit) for ln in reversal.lines.all()} == {
        (ln.account.code, ln.credit, ln.debit) for ln in entry.lines.all()}
    with pytest.raises(FinanceRuleError) as exc:
        ledger.reverse(entry, chief)
    assert exc.value.rule == "already_reversed"


def test_a_locked_period_accepts_nothing_and_the_lock_only_moves_forward(make_indicator, pay, chief):
    ind = make_indicator("100.00")
    app = pay(ind, "10.00")
    today = timezone.localdate()
    with pytest.raises(FinanceRuleError) as exc:
        ledger.close_period(today.year + 1, 1, chief)  # not yet ended
    assert exc.value.rule == "period_order"
    ledger.close_period(today.year, today.month, chief)
    entries, balance = JournalEntry.objects.count(), refresh(ind).balance
    with pytest.raises(FinanceRuleError) as exc:
        payments.approve(app, chief)
    assert exc.value.rule == "period_locked" and "会计期间锁定规则" in exc.value.text
    assert f"{today.year}-{today.month:02d}" in exc.value.text
    assert (JournalEntry.objects.count(), refresh(ind).balance, refresh(app).status) == (
        entries, balance, PaymentStatus.RESERVED)
    assert not hasattr(refresh(app), "voucher") or not app.voucher
    earlier = date(today.year, today.month, 1).replace(day=1)
    month_before = (earlier.year, earlier.month - 1) if earlier.month > 1 else (earlier.year - 1, 12)
    with pytest.raises(FinanceRuleError) as exc:
        ledger.close_period(*month_before, chief)
    assert exc.value.rule == "period_order" and "不能反结账" in exc.value.text
    period = AccountingPeriod.objects.get()
    with pytest.raises(FinanceRuleError):
        period.delete()
    with pytest.raises(FinanceRuleError):
        AccountingPeriod.objects.all().delete()
