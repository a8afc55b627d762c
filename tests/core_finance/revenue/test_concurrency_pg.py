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


def test_parallel_publications_of_one_month_never_share_a_revision(rclerk, chief):
    import datetime as dt

    from core_finance.revenue import portal
    from core_finance.revenue.models import RevenuePublication
    from exchange.models import OutboundItem
    from tests.core_finance.revenue.conftest import with_revenue_perms

    services.import_file(csv_file("2026-03-01,10101,宝鸡市税务局,600.00"), "p.csv", rclerk)
    publisher = with_revenue_perms(chief, "科长")
    barrier, results = threading.Barrier(3), []

    def work():
        try:
            barrier.wait()
            portal.publish(dt.date(2026, 6, 30), publisher)
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
    assert "ok" in results and set(results) <= {"ok", "revenue_publish_busy"}
    revisions = list(RevenuePublication.objects.values_list("revision", flat=True))
    assert sorted(revisions) == list(range(1, results.count("ok") + 1))
    # Each sending that was refused left nothing in the outbox.
    assert OutboundItem.objects.filter(message_type="portal.dataset.publish").count() == results.count("ok")
