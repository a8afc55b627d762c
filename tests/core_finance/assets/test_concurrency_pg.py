"""Two clerks registering assets against one payment at the same moment never exceed it."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core_finance.assets import services
from core_finance.assets.models import AssetCard
from core_finance.errors import FinanceRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_acquisitions_never_exceed_the_payment(aclerk, cats, agency, paid_payment):
    app = paid_payment("100000.00")
    barrier, results = threading.Barrier(4), []

    def work(i):
        try:
            barrier.wait()
            services.register(name=f"服务器{i}", category=cats["30201"], agency=agency, location="机房",
                              custodian="陈静", original_value="40000.00", acquired_on=dt.date.today(),
                              payment=app, user=aclerk)
            results.append("ok")
        except FinanceRuleError as exc:
            results.append(exc.rule)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["asset_payment_exceeded", "asset_payment_exceeded", "ok", "ok"]
    assert AssetCard.objects.filter(payment=app).count() == 2
