"""Revenue services: the tax revenue import (all rows or none), budget progress, year-on-year
comparison, the year-end forecast with its error on past years, and the Excel export.

Import format (CSV in UTF-8 or GB18030, or the first sheet of an .xlsx), one header row:
  入库日期 (date: 2026-03-05, 2026/3/5 or 20260305) · 收入科目编码 (revenue code, e.g. 10101) ·
  征收机关 (collecting office) · 金额 (amount in yuan, two decimals; negative for a refund 退库).
English headings date, revenue_code, office, amount are accepted as well.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.audit.services import record
from core_finance.errors import FinanceRuleError, RowErrors, refuse
from core_finance.models import FiscalDivision
from core_finance.money import ZERO, to_money
from core_finance.revenue.codes import CODES
from core_finance.revenue.models import ImportBatch, RevenueBudget, RevenueCode, RevenueRecord
from core_finance.services import scope
from core_finance.services.base import today
from core_finance.services.sheets import read_rows

COLUMNS = {
    "date": ("date", "入库日期", "日期"),
    "code": ("revenue_code", "code", "收入科目编码", "科目编码", "收入科目"),
    "office": ("office", "征收机关", "征收单位"),
    "amount": ("amount", "金额", "入库金额"),
}
MAX_BYTES = 5 * 1024 * 1024
PCT = Decimal("0.01")
MESSAGES = {"duplicate": gettext_lazy("[Revenue import rule] this file (%(name)s) was already imported on %(on)s."),
            "too_large": gettext_lazy("[Revenue import rule] the file is larger than 5 MB."),
            "home_only": gettext_lazy("[Division isolation rule] the revenue database is kept by the treasury of "
                                      "%(division)s; staff of other fiscal divisions cannot act on it.")}


def require(user, codename: str, action) -> None:
    """The permission, and the home division: the revenue database is a treasury-level module."""
    if user is None or not user.has_perm(f"finance_revenue.{codename}"):
        raise refuse("permission", action=action)
    require_home(user)


def require_home(user) -> None:
    if user is not None and not scope.sees_home(user):
        raise FinanceRuleError("revenue_home_only", str(MESSAGES["home_only"]) % {
            "division": FiscalDivision.home().name})


def load_codes() -> None:
    for code, name in CODES:
        RevenueCode.objects.get_or_create(code=code, defaults={"name": name})


def _date(text: str) -> dt.date | None:
    text = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _check(row: dict, codes: dict, latest: dt.date) -> tuple[RevenueRecord | None, str | None]:
    day = _date(row.get("date", ""))
    if day is None:
        return None, _("the date “%(value)s” is not a date (use 2026-03-05)") % {"value": row.get("date", "")}
    if day > latest:
        return None, _("the date %(value)s is in the future") % {"value": day}
    code = codes.get(row.get("code", "").strip())
    if code is None:
        return None, _("“%(value)s” is not a revenue code of the classification") % {"value": row.get("code", "")}
    office = row.get("office", "").strip()
    if not office:
        return None, _("the collecting office is missing")
    text = row.get("amount", "").strip()
    negative = text.startswith("-")
    try:
        amount = to_money(text[1:] if negative else text, positive=True)
    except FinanceRuleError as exc:
        return None, exc.text
    return RevenueRecord(date=day, code=code, office=office[:200], amount=-amount if negative else amount), None


def import_file(data: bytes, file_name: str, user) -> ImportBatch:
    """Check every row; if any is bad, refuse the file with one reason per row and import nothing."""
    require(user, "import_revenuerecord", _("import tax revenue files"))
    if len(data) > MAX_BYTES:
        raise FinanceRuleError("revenue_too_large", str(MESSAGES["too_large"]))
    digest = hashlib.sha256(data).hexdigest()
    earlier = ImportBatch.objects.filter(sha256=digest).first()
    if earlier:
        raise FinanceRuleError("revenue_duplicate", str(MESSAGES["duplicate"]) % {
            "name": earlier.file_name, "on": earlier.created_at.date()})
    rows = read_rows(data, COLUMNS)
    if not rows:
        raise refuse("import_failed", problem=_("the file has no data rows"))
    codes = {c.code: c for c in RevenueCode.objects.all()}
    records, errors, latest = [], [], today()
    for number, row in rows:
        rec, problem = _check(row, codes, latest)
        if problem:
            errors.append((number, problem))
        else:
            records.append(rec)
    if errors:
        raise RowErrors(errors)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(file_name=(file_name or "")[:200], sha256=digest, rows=len(records),
                                               total=sum((r.amount for r in records), ZERO), created_by=user)
            for rec in records:
                rec.batch = batch
            RevenueRecord.objects.bulk_create(records, batch_size=1000)
            record("finance.revenue.import", batch, actor=user,
                   detail={"file": batch.file_name, "sha256": digest, "rows": batch.rows, "total": batch.total})
    except IntegrityError:  # the same file imported by someone else a moment ago
        raise FinanceRuleError("revenue_duplicate", str(MESSAGES["duplicate"]) % {
            "name": file_name, "on": today()}) from None
    return batch


@transaction.atomic
def set_budget(year: int, code: RevenueCode, amount, user) -> RevenueBudget:
    require(user, "add_revenuebudget", _("enter the revenue budget"))
    amount = to_money(amount)
    row, created = RevenueBudget.objects.update_or_create(year=year, code=code, defaults={"amount": amount})
    record("finance.revenue.budget", row, actor=user, detail={"year": year, "code": code.code, "amount": amount})
    return row


# --- analysis ------------------------------------------------------------------------------------

def same_day(year: int, on: dt.date) -> dt.date:
    """The same month and day in another year (29 February becomes the 28th)."""
    return dt.date(year, on.month, min(on.day, calendar.monthrange(year, on.month)[1]))


def _by_code(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    qs = RevenueRecord.objects.filter(date__gte=start, date__lte=end).values("code").annotate(s=Sum("amount"))
    return {r["code"]: r["s"] for r in qs}


def collected(start: dt.date, end: dt.date) -> Decimal:
    return RevenueRecord.objects.filter(date__gte=start, date__lte=end).aggregate(s=Sum("amount"))["s"] or ZERO


def _pct(part, whole):
    return (part * 100 / whole).quantize(PCT) if whole else None


def progress(year: int, as_of: dt.date) -> dict:
    """Collected to date against the annual budget, per code and in total, with last year's same period."""
    start = dt.date(year, 1, 1)
    now = _by_code(start, as_of)
    before = _by_code(dt.date(year - 1, 1, 1), same_day(year - 1, as_of))
    budgets = {b.code_id: b.amount for b in RevenueBudget.objects.filter(year=year)}
    rows = []
    for code in RevenueCode.objects.all():
        got, last, plan = now.get(code.pk, ZERO), before.get(code.pk, ZERO), budgets.get(code.pk)
        if not (got or last or plan):
            continue
        rows.append({"code": code, "budget": plan, "collected": got, "rate": _pct(got, plan), "last": last,
                     "change": got - last, "growth": _pct(got - last, last) if last > 0 else None})
    total = {k: sum((r[k] or ZERO for r in rows), ZERO) for k in ("budget", "collected", "last")}
    total.update(rate=_pct(total["collected"], total["budget"]), change=total["collected"] - total["last"],
                 growth=_pct(total["collected"] - total["last"], total["last"]) if total["last"] > 0 else None)
    elapsed = (as_of - start).days + 1
    days = 366 if calendar.isleap(year) else 365
    return {"year": year, "as_of": as_of, "rows": rows, "total": total,
            "time_rate": _pct(Decimal(elapsed), Decimal(days))}


def monthly(year: int, end: dt.date | None = None) -> list[Decimal]:
    qs = RevenueRecord.objects.filter(date__year=year)
    if end:
        qs = qs.filter(date__lte=end)
    sums = dict(qs.annotate(m=ExtractMonth("date")).values_list("m").annotate(s=Sum("amount")))
    return [sums.get(m) or ZERO for m in range(1, 13)]


def forecast(year: int, as_of: dt.date, history: int = 5) -> dict:
    """Year-end revenue = collected to date ÷ the average share of the year that past years had
    collected by the same day. Its error is measured honestly on each past year by forecasting that
    year from the other past years only (leave one out) and comparing with what was collected."""
    past = []
    for y in range(year - history, year):
        total = collected(dt.date(y, 1, 1), dt.date(y, 12, 31))
        if total > 0 and RevenueRecord.objects.filter(date__year=y, date__month=12).exists():
            ytd = collected(dt.date(y, 1, 1), same_day(y, as_of))
            past.append({"year": y, "total": total, "ytd": ytd, "share": ytd / total})
    ytd = collected(dt.date(year, 1, 1), as_of)
    out = {"year": year, "as_of": as_of, "ytd": ytd, "past": past, "value": None, "share": None,
           "mean_abs_error": None}
    if not past or ytd <= 0:
        return out
    share = sum(p["share"] for p in past) / len(past)
    out["share"] = (share * 100).quantize(PCT)
    out["value"] = (ytd / share).quantize(PCT) if share > 0 else None
    errors = []
    for p in past:
        others = [q["share"] for q in past if q is not p]
        if others and p["ytd"] > 0:
            mean = sum(others) / len(others)
            p["forecast"] = (p["ytd"] / mean).quantize(PCT)
            p["error"] = _pct(p["forecast"] - p["total"], p["total"])
            errors.append(abs(p["error"]))
        p["share_pct"] = (p["share"] * 100).quantize(PCT)
    if errors:
        out["mean_abs_error"] = (sum(errors) / len(errors)).quantize(PCT)
    return out


def export_xlsx(year: int, as_of: dt.date) -> bytes:
    from core_finance.services.sheets import to_xlsx

    p, f = progress(year, as_of), forecast(year, as_of)
    rows = [[r["code"].code, r["code"].name, r["budget"], r["collected"], r["rate"], r["last"], r["change"],
             r["growth"]] for r in p["rows"]]
    t = p["total"]
    rows.append(["", _("total"), t["budget"], t["collected"], t["rate"], t["last"], t["change"], t["growth"]])
    months = [[m, a, b] for m, a, b in zip(range(1, 13), monthly(year, as_of), monthly(year - 1), strict=True)]
    past = [[q["year"], q["total"], q["ytd"], q.get("share_pct"), q.get("forecast"), q.get("error")]
            for q in f["past"]]
    past.append([year, None, f["ytd"], f["share"], f["value"], f["mean_abs_error"]])
    return to_xlsx([
        (_("Progress %(date)s") % {"date": as_of.isoformat()},
         [_("revenue code"), pgettext_name(), _("annual budget"), _("collected to date"), _("budget progress (%)"),
          _("same period last year"), _("change"), _("growth (%)")], rows),
        (_("By month"), [_("month"), str(year), str(year - 1)], months),
        (_("Forecast"), [_("fiscal year"), _("year total"), _("collected by the same day"), _("share (%)"),
                         _("forecast from the other years"), _("error (%)")], past),
    ])


def pgettext_name() -> str:
    from django.utils.translation import pgettext

    return pgettext("revenue", "name")


def offices(year: int, as_of: dt.date) -> list[tuple[str, Decimal]]:
    totals = defaultdict(lambda: ZERO)
    for office, s in (RevenueRecord.objects.filter(date__year=year, date__lte=as_of).values_list("office")
                      .annotate(s=Sum("amount"))):
        totals[office] += s
    return sorted(totals.items(), key=lambda kv: -kv[1])
