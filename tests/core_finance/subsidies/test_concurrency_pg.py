"""Two clerks building batches of the same programme and period at the same moment never pay
anyone twice (real PostgreSQL, real threads)."""

from __future__ import annotations

import pytest

from core_finance.subsidies.models import BatchLine
from core_finance.subsidies.services import batches
from tests.core_finance.test_concurrency_pg import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_batches_never_pay_a_person_twice(programme, households, sclerk):
    results = run_parallel(6, lambda i: batches.create(programme, "2026", sclerk).pk)
    assert [r[0] for r in results].count("ok") == 1, results
    assert {r[1] for r in results if r[0] == "refused"} == {"batch_empty"}
    assert BatchLine.objects.count() == len(households)


def test_parallel_overlapping_selections_pay_each_person_once(programme, households, sclerk):
    picks = [households[:3], households[2:], households[1:4], households[::2]]
    results = run_parallel(4, lambda i: batches.create(programme, "2026", sclerk, households=picks[i]).pk)
    assert "error" not in [r[0] for r in results], results
    per_person = {}
    for household_id in BatchLine.objects.values_list("household_id", flat=True):
        per_person[household_id] = per_person.get(household_id, 0) + 1
    assert per_person and set(per_person.values()) == {1}
