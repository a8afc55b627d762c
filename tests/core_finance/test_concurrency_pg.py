"""Check-and-reserve under real concurrency on PostgreSQL: parallel requests never overshoot."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core_finance.errors import FinanceRuleError
from core_finance.models import IndicatorTransaction, PaymentApplication, PaymentVoucher
from core_finance.services import indicators, payments
from tests.core_finance.helpers import refresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def run_parallel(count, work):
    """Start ``count`` threads together (each with its own database connection)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(i):
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except FinanceRuleError as exc:
            results[i] = ("refused", exc.rule)
        except Exception as exc:  # noqa: BLE001  reported in the assertion below
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_fifty_parallel_applications_never_overshoot_the_indicator(make_indicator, pay, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    ind = make_indicator("1000.00")
    results = run_parallel(50, lambda i: pay(ind, "30.00", payee_name=f"收款人{i}").pk)
    outcomes = [r[0] for r in results]
    assert outcomes.count("error") == 0, results
    assert outcomes.count("ok") == 33  # 33 × 30.00 = 990.00 ≤ 1000.00 < 34 × 30.00
    assert {r[1] for r in results if r[0] == "refused"} == {"indicator_overspend"}
    ind = refresh(ind)
    assert ind.balance == D("10.00")
    assert ind.balance == indicators.derived(ind.pk)["balance"]  # the cache equals the transactions
    assert ind.balance == D("1000.00") - sum(a.amount for a in PaymentApplication.objects.filter(indicator=ind))
    assert IndicatorTransaction.objects.filter(indicator=ind, kind="apply").count() == 33
    assert len(set(PaymentApplication.objects.values_list("number", flat=True))) == 33


def test_parallel_applications_never_overshoot_the_month_plan(make_indicator, pay, clerk, chief, settings):
    settings.JINCAI_FINANCE_PAYMENT_PLANS = True
    ind = make_indicator("1000.00")
    plan = payments.create_plan(ind, 6, "300.00", clerk)
    payments.approve_plan(plan, chief)
    results = run_parallel(30, lambda i: pay(ind, "20.00", month=6).pk)
    assert [r[0] for r in results].count("ok") == 15, results
    assert {r[1] for r in results if r[0] == "refused"} == {"plan_overspend"}
    assert (refresh(plan).used, refresh(ind).balance) == (D("300.00"), D("700.00"))


def test_parallel_approvals_issue_exactly_one_voucher(make_indicator, pay, settings):
    from tests.core_finance.conftest import role_user

    settings.JINCAI_FINANCE_PAYMENT_PLANS = False
    ind = make_indicator("1000.00")
    app = pay(ind, "100.00")
    chiefs = [role_user(f"approver{i}", "科长") for i in range(8)]
    results = run_parallel(8, lambda i: payments.approve(app, chiefs[i]).pk)
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[1] for r in results if r[0] == "refused"} == {"state"}
    assert PaymentVoucher.objects.count() == 1
    assert refresh(ind).balance == D("900.00") == indicators.derived(ind.pk)["balance"]
