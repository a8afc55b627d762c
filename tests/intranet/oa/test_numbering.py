"""Numbers 机关代字〔年份〕N号: sequential, per 代字 and year, never duplicated, never skipped."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from intranet.oa import numbering
from intranet.oa.elements import format_number
from intranet.oa.models import Document
from intranet.oa.workflow import transition


def test_format_matches_the_bureau_style():
    assert format_number("宝市财办信", 2009, 8) == "宝市财办信〔2009〕8号"
    assert format_number("宝市财办信", 2009, None) == ""


@pytest.mark.django_db
def test_sequences_are_per_agency_code_and_year():
    with transaction.atomic():
        got = [numbering.next_number("宝市财办", 2026) for _ in range(3)]
        got.append(numbering.next_number("宝市财预", 2026))
        got.append(numbering.next_number("宝市财办", 2027))
    assert got == [1, 2, 3, 1, 1]


@pytest.mark.django_db
def test_a_rolled_back_numbering_leaves_no_gap():
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_number("宝市财办", 2026)
        raise RuntimeError("printing failed")
    with transaction.atomic():
        assert numbering.next_number("宝市财办", 2026) == 1


@pytest.mark.django_db
def test_a_duplicate_number_is_refused_by_the_database(bureau, signed):
    doc = transition(signed(), "assign_number", bureau.zhangwei)
    other = signed()
    other.agency_code, other.year, other.number = doc.agency_code, doc.year, doc.number
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    assert Document.objects.filter(number=doc.number, agency_code=doc.agency_code).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_clerks_get_distinct_gapless_numbers(bureau, signed):
    docs = [signed() for _ in range(40)]
    clerk = bureau.zhangwei
    start = threading.Barrier(20)

    def work(chunk):
        start.wait()
        try:
            for doc in chunk:
                transition(doc, "assign_number", clerk)
        finally:
            connection.close()

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(work, [docs[i::20] for i in range(20)]))
    numbers = sorted(Document.objects.filter(pk__in=[d.pk for d in docs]).values_list("number", flat=True))
    assert numbers == list(range(1, 41))
    assert set(Document.objects.filter(pk__in=[d.pk for d in docs]).values_list("state", flat=True)) == {"numbered"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_on_one_document_happen_once(bureau, signed):
    doc = signed()
    start = threading.Barrier(10)
    outcomes = []

    def work(_):
        start.wait()
        try:
            transition(doc, "assign_number", bureau.zhangwei)
            outcomes.append("ok")
        except Exception as exc:  # the losers are refused: the state has moved on
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(work, range(10)))
    assert outcomes.count("ok") == 1 and outcomes.count("TransitionRefused") == 9
    doc.refresh_from_db()
    assert doc.number == 1 and doc.events.filter(transition="assign_number").count() == 1
