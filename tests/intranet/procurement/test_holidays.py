"""Working days for 竞争性谈判 / 询价 follow the State Council's holiday arrangement."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from intranet.procurement import holidays, rules
from intranet.procurement.services import publishing

pytestmark = pytest.mark.django_db


def at(y, m, d, h=9):
    return timezone.make_aware(datetime(y, m, d, h, 0, 0))


def test_the_calendar_knows_holidays_and_make_up_working_days():
    cal = holidays.calendar()
    assert not cal.is_working_day(date(2026, 10, 5))  # 国庆, a Monday
    assert cal.holiday_name(date(2026, 10, 5)) == "国庆节"
    assert cal.is_working_day(date(2026, 10, 10))  # 调休: a Saturday worked
    assert cal.is_working_day(date(2026, 2, 14))  # 春节调休, a Saturday
    assert not cal.is_working_day(date(2025, 10, 8))  # 国庆 and 中秋 together in 2025
    assert cal.is_working_day(date(2025, 9, 28))  # a Sunday worked
    assert not cal.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert cal.is_working_day(date(2026, 3, 9))  # an ordinary Monday
    assert {2025, 2026, 2027} <= cal.years


def test_a_negotiation_deadline_across_national_day_needs_three_real_working_days():
    issued = at(2026, 9, 29)  # Tuesday; then Wed 30 Sep works, 1–7 Oct are holidays
    clar = issued + timedelta(hours=1)
    # Seven calendar days later, but only Sep 30 and Oct 8 are working days: refused.
    problems = rules.deadline_problems("competitive_negotiation", issued, clar, at(2026, 10, 8), at(2026, 10, 8))
    assert len(problems) == 1 and "3 个工作日" in problems[0] and "2026-10-09" in problems[0]
    assert rules.deadline_problems("competitive_negotiation", issued, clar, at(2026, 10, 9), at(2026, 10, 9)) == []
    # Without holidays a Monday-to-Friday count would have accepted Oct 2.
    assert rules.deadline_problems("inquiry", issued, clar, at(2026, 10, 2), at(2026, 10, 2))


def test_a_make_up_saturday_counts_as_a_working_day():
    issued = at(2026, 10, 8)  # Thursday: Fri 9, Sat 10 (worked), Mon 12
    assert rules.earliest_deadline("inquiry", issued).date() == date(2026, 10, 12)
    clar = issued + timedelta(hours=1)
    assert rules.deadline_problems("inquiry", issued, clar, at(2026, 10, 12), at(2026, 10, 12)) == []
    assert rules.deadline_problems("inquiry", issued, clar, at(2026, 10, 11, 23), at(2026, 10, 11, 23))


def test_spring_festival_holidays_push_the_deadline():
    issued = at(2026, 2, 12)  # Thursday: Fri 13, Sat 14 (worked), then 15–23 Feb off, Tue 24
    assert rules.earliest_deadline("competitive_negotiation", issued).date() == date(2026, 2, 24)


def test_publishing_a_negotiation_that_spans_the_holiday_too_short_is_refused(make_draft, manager, settings):
    settings.JINCAI_PROCUREMENT_NOW = at(2026, 9, 29)
    tender = make_draft()
    tender.method = "competitive_negotiation"
    tender.clarification_deadline, tender.bid_deadline, tender.opening_at = at(2026, 10, 6), at(2026, 10, 8), \
        at(2026, 10, 8)
    tender.save()
    with pytest.raises(ValidationError) as exc:
        publishing.publish(tender, manager)
    assert "3 个工作日" in " ".join(exc.value.messages)
