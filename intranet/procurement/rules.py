"""Legal minimums of the Government Procurement Law and its rules, checked before publishing.

- 公开招标 / 邀请招标: at least 20 days from issuing the documents to the bid deadline; a
  clarification or amendment that affects bids at least 15 days before the deadline.
- 竞争性磋商: at least 10 days; amendments at least 5 days before.
- 竞争性谈判 / 询价: at least 3 working days; amendments at least 3 working days before.
- 单一来源: the notice is public for at least 5 working days.
- Bid security: at most 2% of the budget.

Working days follow the holiday calendar (holidays.py): Monday to Friday, less the public holidays,
plus the make-up working days (调休) the State Council arranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.procurement import holidays
from intranet.procurement.models import Method

SECURITY_SHARE = Decimal("0.02")


@dataclass(frozen=True)
class Minimum:
    days: int
    working: bool
    amendment_days: int
    amendment_working: bool


MINIMUMS = {
    Method.OPEN: Minimum(20, False, 15, False),
    Method.INVITED: Minimum(20, False, 15, False),
    Method.CONSULTATION: Minimum(10, False, 5, False),
    Method.NEGOTIATION: Minimum(3, True, 3, True),
    Method.INQUIRY: Minimum(3, True, 3, True),
    Method.SINGLE_SOURCE: Minimum(5, True, 3, True),
}


def add_days(start: datetime, days: int, working: bool) -> datetime:
    if not working:
        return start + timedelta(days=days)
    local = timezone.localtime(start)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if holidays.is_working_day(local.date()):
            added += 1
    return local


def earliest_deadline(method: str, issued: datetime) -> datetime:
    m = MINIMUMS[Method(method)]
    return add_days(issued, m.days, m.working)


def _span(days: int, working: bool) -> str:
    return (_("%(n)d working days") if working else _("%(n)d days")) % {"n": days}


def deadline_problems(method: str, issued: datetime, clarification: datetime, deadline: datetime,
                      opening: datetime) -> list[str]:
    problems = []
    m = MINIMUMS[Method(method)]
    if deadline < earliest_deadline(method, issued):
        problems.append(_("For this method the bid deadline must be at least %(span)s after the documents are "
                          "issued (earliest: %(when)s).") % {
            "span": _span(m.days, m.working),
            "when": timezone.localtime(earliest_deadline(method, issued)).strftime("%Y-%m-%d %H:%M:%S")})
    if opening < deadline:
        problems.append(_("The bid opening cannot be before the bid deadline."))
    if not issued < clarification <= deadline:
        problems.append(_("The question period must end after publication and no later than the bid deadline."))
    return problems


def security_problem(budget: Decimal, security: Decimal) -> str | None:
    if security < 0:
        return _("The bid security cannot be negative.")
    limit = (budget * SECURITY_SHARE).quantize(Decimal("0.01"))
    if security > limit:
        return _("The bid security may be at most 2%% of the budget (%(limit)s yuan).") % {"limit": limit}
    return None


def amendment_needs_extension(method: str, published: datetime, deadline: datetime) -> datetime | None:
    """The earliest allowed deadline when an amendment affecting bids is published now, if later
    than the current deadline."""
    m = MINIMUMS[Method(method)]
    earliest = add_days(published, m.amendment_days, m.amendment_working)
    return earliest if earliest > deadline else None
