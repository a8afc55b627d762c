"""Parallel repayments of one schedule line: the line is paid once and the indicator charged once."""

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


def test_parallel_repayments_pay_a_line_once(dclerk, service_indicator):
    inst = services.create_instrument(name="一般债券", kind="general_bond", creditor="陕西省财政厅",
                                      amount="1000000.00", annual_rate="3.00", issue_date=dt.date(2025, 6, 1),
                                      term_months=36, method="bullet", frequency=1, user=dclerk)
    line = inst.lines.get(seq=1)
    barrier, results = threading.Barrier(4), []

    def work():
        try:
            barrier.wait()
            services.record_repayment(line, user=dclerk, source="budget", indicator=service_indicator)
            results.append("ok")
        except FinanceRuleError as exc:
            results.append(exc.rule)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["debt_already_paid"] * 3 + ["ok"]
    assert Repayment.objects.count() == 1 and PaymentApplication.objects.count() == 1
    assert refresh(service_indicator).balance == D("10000000.00") - D("30000.00")
