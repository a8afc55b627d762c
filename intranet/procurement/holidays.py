"""The working-day calendar: weekends, public holidays and make-up working days (调休).

The calendar is data kept in the repository (``data/holidays_cn.json``), one entry per year as the
State Council arranges it. A day is a working day when it is listed as a make-up working day, or
when it is a Monday to Friday that is not a listed holiday. Years not in the file count weekends
only; a year marked ``provisional`` holds the statutory holidays but not yet the published
arrangement (bridging days and make-up days).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "holidays_cn.json"


@dataclass(frozen=True)
class Calendar:
    holidays: dict[date, str]
    workdays: frozenset[date]
    years: frozenset[int]
    provisional: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def holiday_name(self, day: date) -> str | None:
        return self.holidays.get(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def _days(first: str, last: str):
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    while day <= end:
        yield day
        day += timedelta(days=1)


@cache
def calendar() -> Calendar:
    raw = json.loads(DATA.read_text(encoding="utf-8"))["years"]
    holidays, workdays, provisional = {}, set(), set()
    for year, entry in raw.items():
        for first, last, name in entry["holidays"]:
            holidays.update({day: name for day in _days(first, last)})
        workdays.update(date.fromisoformat(d) for d in entry["workdays"])
        if entry.get("provisional"):
            provisional.add(int(year))
    overlap = workdays & holidays.keys()
    if overlap:
        raise ValueError(f"days listed both as holiday and as working day: {sorted(overlap)}")
    return Calendar(holidays, frozenset(workdays), frozenset(int(y) for y in raw), frozenset(provisional))


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)
