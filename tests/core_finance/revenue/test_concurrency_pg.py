"""The same treasury file uploaded twice at the same moment is imported once."""

import threading

import pytest
from django.db import connection

from core_finance.errors import FinanceRuleError
from core_finance.revenue import services
from core_finance.revenue.models import ImportBatch, RevenueRecord
from tests.core_finance.revenue.conftest import csv_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_uploads_of_one_file_import_it_once(rclerk):
    data = csv_file(*[f"2025-03-{d:02d},10101,宝鸡市税务局,{d}00.00" for d in range(1, 29)])
    barrier, results = threading.Barrier(3), []

    def work():
        try:
            barrier.wait()
            services.import_file(data, "same.csv", rclerk)
            results.append("ok")
        except FinanceRuleError as exc:
            results.append(exc.rule)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok", "revenue_duplicate", "revenue_duplicate"]
    assert ImportBatch.objects.count() == 1 and RevenueRecord.objects.count() == 28
