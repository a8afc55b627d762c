"""Parallel repayments: a line is paid once, each indicator charged once, and a refused interest
payment never leaves a principal reservation behind."""

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from core_finance.debt import services
from core_finance.debt.models import Repayment
from core_finance.errors import FinanceRuleError
from core_finance.models import PaymentApplication
from tests.core_finance.helpers import refresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(jobs):
    barrier, results = threading.Barrier(len(jobs)), []

    def work(job):
        try:
            barrier.wait()
            job()
            results.append("ok")
        except FinanceRuleError as exc:
            results.append(exc.rule)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(results)


def test_parallel_repayments_pay_a_line_once(dclerk, from_budget):
    inst = services.create_instrument(name="一般债券", kind="general_bond", creditor="陕西省财政厅",
                                      amount="1000000.00", annual_rate="3.00", issue_date=dt.date(2025, 6, 1),
                                      term_months=36, method="bullet", frequency=1, user=dclerk)
    line = inst.lines.get(seq=1)
    results = run_parallel([lambda: services.record_repayment(line, user=dclerk, **from_budget)] * 4)
    assert results == ["debt_already_paid"] * 3 + ["ok"]
    assert Repayment.objects.count() == 1 and PaymentApplication.objects.count() == 1
    assert refresh(from_budget["interest_indicator"]).balance == D("10000000.00") - D("30000.00")
    assert refresh(from_budget["principal_indicator"]).balance == D("20000000.00")


def test_parallel_split_repayments_never_overspend_nor_leave_half_a_repayment(dclerk, debt_codes, make_indicator,
                                                                                principal_indicator):
    # Four monthly lines of 1,000 principal with 10.00, 7.50, 5.00 and 2.50 interest; the interest
    # indicator holds 12.50, so at most two lines can be paid, whichever come first.
    inst = services.create_instrument(name="贷款", kind="loan", creditor="国家开发银行", amount="4000.00",
                                      annual_rate="3.00", issue_date=dt.date(2026, 1, 15), term_months=4,
                                      method="installment", frequency=12, user=dclerk)
    interest = make_indicator("12.50", econ="30701", func="2320301")
    lines = list(inst.lines.all())
    results = run_parallel([
        (lambda line=line: services.record_repayment(line, user=dclerk, source="budget",
                                                     principal_indicator=principal_indicator,
                                                     interest_indicator=interest))
        for line in lines])
    paid = list(Repayment.objects.filter(voided=False).select_related("line"))
    assert results.count("ok") == len(paid) >= 1 and set(results) <= {"ok", "indicator_overspend"}
    spent = sum((r.line.interest for r in paid), D("0"))
    assert spent <= D("12.50") and refresh(interest).balance == D("12.50") - spent
    # Every principal reservation belongs to a recorded repayment: none was left by a refused one.
    assert refresh(principal_indicator).balance == D("20000000.00") - D("1000.00") * len(paid)
    assert PaymentApplication.objects.count() == 2 * len(paid)
