"""Revenue progress on the public portal (税收收入完成情况公开).

The figures go to the extranet as one ``portal.dataset.publish`` message (the disclosure
machinery of core finance: the portal renders it as a table with a chart). Only aggregates by
revenue category travel: budget, collected to date, progress and the same period last year.
No record, collecting office or taxpayer ever leaves the intranet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.audit.services import record
from core_finance.errors import FinanceRuleError
from core_finance.revenue import services
from core_finance.revenue.models import RevenuePublication
from core_finance.services.base import today
from core_finance.services.disclosure import MESSAGE_TYPE, MESSAGE_VERSION

CHANNEL = "to-extranet"
COLUMNS = [
    {"key": "category", "label": "收入项目", "numeric": False},
    {"key": "budget", "label": "年初预算数", "numeric": True},
    {"key": "collected", "label": "累计完成", "numeric": True},
    {"key": "progress", "label": "完成预算（%）", "numeric": True},
    {"key": "last_year", "label": "上年同期", "numeric": True},
    {"key": "growth", "label": "同比增减（%）", "numeric": True},
]
MESSAGES = {
    "nothing": gettext_lazy("[Revenue disclosure rule] nothing to publish: no revenue was collected in %(year)s up "
                            "to %(date)s."),
    "busy": gettext_lazy("[Revenue disclosure rule] the figures of %(year)s month %(month)s were being published by "
                         "someone else at the same moment; look at the list and publish again if needed."),
}


def _cell(value) -> str | None:
    return None if value is None else f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def issuer() -> str:
    return getattr(settings, "JINCAI_REVENUE_ISSUER", "宝鸡市财政局")


def document_id(year: int, month: int) -> str:
    return f"finance-revenue-{year}-{month:02d}"


def figures(as_of: dt.date) -> dict:
    """The table to publish: one row per revenue category with a budget or revenue (this year or the
    same period last year), then the total; refused when nothing was collected this year."""
    p = services.progress(as_of.year, as_of)
    rows = p["rows"]
    if not any(r["collected"] for r in rows):
        raise FinanceRuleError("revenue_nothing_to_publish", str(MESSAGES["nothing"]) % {
            "year": as_of.year, "date": as_of.isoformat()})
    table = [[f"{r['code'].code} {r['code'].name}", r["budget"], r["collected"], r["rate"], r["last"], r["growth"]]
             for r in rows]
    t = p["total"]
    table.append(["税收收入合计", t["budget"], t["collected"], t["rate"], t["last"], t["growth"]])
    return {"rows": [[_cell(v) for v in row] for row in table], "total": t}


def message_body(as_of: dt.date, revision: int) -> dict:
    """The ``portal.dataset.publish`` body of the revenue progress to ``as_of``."""
    year, month = as_of.year, as_of.month
    table = figures(as_of)
    period = f"1—{month}月" if month > 1 else "1月"
    return {
        "document_id": document_id(year, month),
        "revision": revision,
        "title": f"{year}年{period}税收收入完成情况",
        "kind": "other",
        "fiscal_year": year,
        "issuer": issuer(),
        "unit": "元",
        "description": (f"截至{as_of.year}年{as_of.month}月{as_of.day}日全市税收收入按收入项目的累计完成数、"
                        f"占年初预算的进度及与上年同期的比较。数据来源：国库入库数据，按收入科目汇总。"),
        "columns": COLUMNS,
        "rows": table["rows"],
        "chart": {"type": "bar", "label_column": "category", "value_columns": ["budget", "collected"]},
        "published_at": timezone.now().isoformat(timespec="seconds"),
        "disclosure": "public",
    }


def publish(as_of: dt.date, user) -> RevenuePublication:
    """Queue the revenue progress to ``as_of`` for the portal; a later sending of the same month is
    a new revision that replaces it there."""
    from exchange.services.outbox import enqueue

    services.require(user, "publish_revenuefigures", _("publish revenue figures on the portal"))
    as_of = min(as_of, today())
    doc = document_id(as_of.year, as_of.month)
    try:
        with transaction.atomic():
            last = RevenuePublication.objects.filter(document_id=doc).aggregate(m=Max("revision"))["m"] or 0
            body = message_body(as_of, last + 1)
            item = enqueue(CHANNEL, MESSAGE_TYPE, MESSAGE_VERSION, body, classification="public",
                           ref=f"finance-revenue:{doc}", actor=user)
            pub = RevenuePublication.objects.create(
                year=as_of.year, month=as_of.month, as_of=as_of, document_id=doc, revision=body["revision"],
                figures=body, outbound_ref=f"outbound:{item.pk}", published_by=user)
            record("finance.revenue.publish", pub, actor=user, detail={
                "as_of": as_of, "revision": pub.revision, "outbound_item": item.pk,
                "collected": body["rows"][-1][2], "budget": body["rows"][-1][1]})
    except IntegrityError:  # the same month sent by someone else a moment ago
        raise FinanceRuleError("revenue_publish_busy", str(MESSAGES["busy"]) % {
            "year": as_of.year, "month": as_of.month}) from None
    return pub
