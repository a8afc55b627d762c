"""Budget and final-accounts disclosure (部门预算/决算公开) as a Fiscal Data Package dataset.

A dataset is built from the approved budget (or the year's execution), reviewed by someone
other than its creator, then queued for the extranet through the exchange, where the portal
renders the tables.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.errors import refuse
from core_finance.models import (
    BudgetLine,
    BudgetStatus,
    ClassificationCode,
    CodeTable,
    DisclosureDataset,
    PaymentApplication,
)
from core_finance.models.payments import EXECUTED_STATUSES
from core_finance.money import ZERO
from core_finance.services.base import not_creator, require_perm, require_state

MESSAGE_TYPE, MESSAGE_VERSION = "portal.dataset.publish", 1
GENERAL, GOV_FUND = "11", "12"  # funding sources: 一般公共预算拨款, 政府性基金预算拨款
FISCAL_PREFIX = "1"  # 财政拨款: every funding source code starting with 1
SANGONG = {"30212": "因公出国（境）费用", "30217": "公务接待费", "30231": "公务用车运行维护费",
           "31013": "公务用车购置费"}

FUNC = {"name": "func_code", "title": "功能分类科目编码", "type": "string",
        "columnType": "functional-classification:generic:code"}
FUNC_NAME = {"name": "func_name", "title": "科目名称", "type": "string",
             "columnType": "functional-classification:generic:label"}
ECON = {"name": "econ_code", "title": "经济分类科目编码", "type": "string",
        "columnType": "economic-classification:generic:code"}
ECON_NAME = {"name": "econ_name", "title": "科目名称", "type": "string",
             "columnType": "economic-classification:generic:label"}
ITEM = {"name": "item", "title": "项目", "type": "string"}


def money_col(name: str, title: str) -> dict:
    return {"name": name, "title": title, "type": "number", "decimalChar": ".", "columnType": "value"}


def _lines(agency, year):
    """Lines of the latest approved budget of the agency and each unit below it."""
    latest = {}
    for line in BudgetLine.objects.filter(version__agency_id__in=agency.family_ids(), version__year=year,
                                          version__status=BudgetStatus.APPROVED).values(
            "version__agency_id").annotate(v=Max("version__number")):
        latest[line["version__agency_id"]] = line["v"]
    qs = BudgetLine.objects.none()
    for agency_id, number in latest.items():
        qs = qs | BudgetLine.objects.filter(version__agency_id=agency_id, version__year=year, version__number=number)
    return list(qs.select_related("functional", "dept_econ", "funding", "project", "version__agency"))


def _names(year, table):
    return dict(ClassificationCode.objects.filter(year=year, table=table).values_list("code", "name"))


def _rows_by_function(lines, year, split=True):
    names = _names(year, CodeTable.FUNCTIONAL)
    acc = defaultdict(lambda: [ZERO, ZERO])
    for ln in lines:
        for cut in (3, 5, 7):
            acc[ln.functional.code[:cut]][0 if ln.project.is_basic else 1] += ln.amount
    rows = []
    for code in sorted(acc):
        basic, project = acc[code]
        rows.append([code, names.get(code, ""), basic + project, basic, project] if split
                    else [code, names.get(code, ""), basic + project])
    return rows


def _table(name, title, fields, rows, total_index=None):
    return {"name": name, "title": title, "fields": fields, "rows": [[_cell(v) for v in r] for r in rows]}


def _cell(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def budget_tables(agency, year) -> list[dict]:
    lines = _lines(agency, year)
    if not lines:
        raise refuse("disclosure", problem=_("there is no approved budget for %(agency)s in %(year)s")
                     % {"agency": agency.name, "year": year})
    total = sum((ln.amount for ln in lines), ZERO)
    funding = defaultdict(lambda: ZERO)
    for ln in lines:
        funding[(ln.funding.code, ln.funding.name)] += ln.amount
    by_class = defaultdict(lambda: ZERO)
    for ln in lines:
        by_class[ln.functional.code[:3]] += ln.amount
    fnames = _names(year, CodeTable.FUNCTIONAL)
    split = [FUNC, FUNC_NAME, money_col("total", "合计"), money_col("basic", "基本支出"),
             money_col("project", "项目支出")]
    fiscal = [ln for ln in lines if ln.funding.code.startswith(FISCAL_PREFIX)]
    general = [ln for ln in lines if ln.funding.code == GENERAL]
    fund = [ln for ln in lines if ln.funding.code == GOV_FUND]
    enames = _names(year, CodeTable.DEPT_ECONOMIC)
    econ = defaultdict(lambda: ZERO)
    for ln in general:
        if ln.project.is_basic:
            econ[ln.dept_econ.code[:3]] += ln.amount
            econ[ln.dept_econ.code] += ln.amount
    sangong = defaultdict(lambda: ZERO)
    for ln in general:
        if ln.dept_econ.code in SANGONG:
            sangong[ln.dept_econ.code] += ln.amount
    income_units = defaultdict(lambda: defaultdict(lambda: ZERO))
    for ln in lines:
        income_units[(ln.version.agency.code, ln.version.agency.name)][ln.funding.code] += ln.amount
    fund_codes = sorted({c for c, _n in funding})
    fund_titles = dict(funding.keys())
    return [
        _table("table-01", "部门收支总表", [ITEM, money_col("amount", "预算数")],
               [["收入", ""]] + [[n, a] for (_c, n), a in sorted(funding.items())] + [["收入合计", total], ["支出", ""]]
               + [[f"{c} {fnames.get(c, '')}", a] for c, a in sorted(by_class.items())] + [["支出合计", total]]),
        _table("table-02", "部门收入总表",
               [{"name": "unit", "title": "单位名称", "type": "string",
                 "columnType": "administrative-classification:generic:label"}, money_col("total", "合计")]
               + [money_col(f"f{c}", fund_titles[c]) for c in fund_codes],
               [[f"{code} {name}", sum(per.values(), ZERO)] + [per.get(c, ZERO) for c in fund_codes]
                for (code, name), per in sorted(income_units.items())]),
        _table("table-03", "部门支出总表", split, _rows_by_function(lines, year)),
        _table("table-04", "财政拨款收支总表", [ITEM, money_col("amount", "预算数")],
               [["一般公共预算拨款", sum((ln.amount for ln in general), ZERO)],
                ["政府性基金预算拨款", sum((ln.amount for ln in fund), ZERO)],
                ["财政拨款收入合计", sum((ln.amount for ln in fiscal), ZERO)]]
               + [[r[0] + " " + r[1], r[2]] for r in _rows_by_function(fiscal, year, split=False) if len(r[0]) == 3]
               + [["财政拨款支出合计", sum((ln.amount for ln in fiscal), ZERO)]]),
        _table("table-05", "一般公共预算支出表", split, _rows_by_function(general, year)),
        _table("table-06", "一般公共预算基本支出表", [ECON, ECON_NAME, money_col("amount", "基本支出")],
               [[c, enames.get(c, ""), a] for c, a in sorted(econ.items())]),
        _table("table-07", "一般公共预算“三公”经费支出表", [ITEM, money_col("amount", "预算数")],
               [[n, sangong.get(c, ZERO)] for c, n in SANGONG.items()]
               + [["合计", sum(sangong.values(), ZERO)]]),
        _table("table-08", "政府性基金预算支出表", split, _rows_by_function(fund, year)),
    ]


def final_tables(agency, year) -> list[dict]:
    pays = PaymentApplication.objects.filter(agency_id__in=agency.family_ids(), year=year,
                                             status__in=EXECUTED_STATUSES)
    fnames = _names(year, CodeTable.FUNCTIONAL)
    executed = defaultdict(lambda: ZERO)
    for code, amount in pays.values_list("functional__code").annotate(s=Sum(F("amount") - F("refunded"))).order_by():
        for cut in (3, 5, 7):
            executed[code[:cut]] += amount
    lines = _lines(agency, year)
    budget = defaultdict(lambda: ZERO)
    for ln in lines:
        for cut in (3, 5, 7):
            budget[ln.functional.code[:cut]] += ln.amount
    codes = sorted(set(executed) | set(budget))
    sangong = dict(pays.filter(dept_econ__code__in=SANGONG).values_list("dept_econ__code").annotate(
        s=Sum(F("amount") - F("refunded"))).order_by())
    return [
        _table("table-01", "收入支出决算总表",
               [FUNC, FUNC_NAME, money_col("budget", "年初预算数"), money_col("executed", "决算数")],
               [[c, fnames.get(c, ""), budget.get(c, ZERO), executed.get(c, ZERO)] for c in codes]),
        _table("table-02", "一般公共预算财政拨款支出决算表",
               [FUNC, FUNC_NAME, money_col("executed", "决算数")],
               [[c, fnames.get(c, ""), executed[c]] for c in sorted(executed)]),
        _table("table-03", "“三公”经费支出决算表", [ITEM, money_col("amount", "决算数")],
               [[n, sangong.get(c, ZERO)] for c, n in SANGONG.items()] + [["合计", sum(sangong.values(), ZERO)]]),
    ]


def csv_text(table: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f["name"] for f in table["fields"]])
    writer.writerows(table["rows"])
    return out.getvalue()


def descriptor(agency, year, kind, revision, title, tables) -> dict:
    """The Fiscal Data Package descriptor (datapackage.json) of the dataset."""
    return {
        "profile": "fiscal-data-package",
        "name": f"finance-{agency.code}-{year}-{kind}-r{revision}".lower(),
        "title": title,
        "countryCode": "CN",
        "currency": "CNY",
        "fiscalPeriod": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "granularity": "aggregated",
        "publisher": {"name": agency.department().name},
        "created": timezone.now().isoformat(timespec="seconds"),
        "resources": [
            {"name": t["name"], "title": t["title"], "path": f"{t['name']}.csv", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
             "schema": {"fields": t["fields"]}}
            for t in tables
        ],
    }


def build(agency, year: int, kind: str, user) -> DisclosureDataset:
    require_perm(user, "add_disclosuredataset", _("prepare disclosure datasets"))
    if kind not in DisclosureDataset.Kind.values:
        raise refuse("disclosure", problem=_("unknown dataset kind"))
    tables = budget_tables(agency, year) if kind == DisclosureDataset.Kind.BUDGET else final_tables(agency, year)
    label = "部门预算" if kind == DisclosureDataset.Kind.BUDGET else "部门决算"
    title = f"{agency.name}{year}年{label}公开表"
    with transaction.atomic():
        last = DisclosureDataset.objects.filter(agency=agency, year=year, kind=kind).aggregate(m=Max("revision"))["m"]
        revision = (last or 0) + 1
        dataset = DisclosureDataset.objects.create(
            agency=agency, year=year, kind=kind, revision=revision, title=title,
            descriptor=descriptor(agency, year, kind, revision, title, tables), tables=tables, created_by=user)
        record("finance.disclosure.build", dataset, detail={"tables": len(tables)}, actor=user)
    return dataset


def review(dataset: DisclosureDataset, user) -> DisclosureDataset:
    require_perm(user, "review_disclosuredataset", _("review disclosure datasets"))
    not_creator(dataset.created_by_id, user, dataset.title)
    with transaction.atomic():
        dataset = DisclosureDataset.objects.select_for_update().get(pk=dataset.pk)
        require_state(dataset, [DisclosureDataset.Status.DRAFT], dataset.title, pgettext("workflow action", "review"))
        dataset.status, dataset.reviewed_by, dataset.reviewed_at = "reviewed", user, timezone.now()
        dataset.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        record("finance.disclosure.review", dataset, actor=user)
    return dataset


def portal_messages(dataset: DisclosureDataset) -> list[dict]:
    """One ``portal.dataset.publish`` body per standard table: the portal renders each as a table
    and a chart. The Fiscal Data Package itself (descriptor + CSV) stays downloadable here."""
    kind = "budget" if dataset.kind == DisclosureDataset.Kind.BUDGET else "final_accounts"
    published = timezone.now().isoformat(timespec="seconds")
    bodies = []
    for table in dataset.tables:
        columns = [{"key": f["name"][:31], "label": f["title"][:100], "numeric": f.get("type") == "number"}
                   for f in table["fields"]]
        numeric = [c["key"] for c in columns if c["numeric"]]
        body = {
            "document_id": f"{dataset.descriptor['name']}-{table['name']}"[:64],
            "revision": dataset.revision,
            "title": f"{dataset.title} · {table['title']}"[:500],
            "kind": kind,
            "fiscal_year": dataset.year,
            "issuer": dataset.agency.name[:200],
            "unit": "元",
            "description": f"{dataset.agency.name}{dataset.year}年{table['title']}（{dataset.descriptor['name']}）"[:4000],
            "columns": columns,
            # An empty table is still disclosed, saying so (as 部门预算公开 practice requires).
            "rows": [[None if v in (None, "") else str(v)[:500] for v in row] for row in table["rows"]]
            or [["本表无数据"] + [None] * (len(columns) - 1)],
            "published_at": published,
            "disclosure": "public",
        }
        if numeric and table["rows"] and not columns[0]["numeric"]:
            body["chart"] = {"type": "bar", "label_column": columns[0]["key"], "value_columns": numeric[:1]}
        bodies.append(body)
    return bodies


def queue_for_extranet(dataset: DisclosureDataset, user=None) -> list:
    """Queue every table on the exchange's to-extranet channel (the only path to the portal)."""
    from exchange.services.outbox import enqueue

    return [enqueue("to-extranet", MESSAGE_TYPE, MESSAGE_VERSION, body, classification="public",
                    ref=f"finance-disclosure:{dataset.pk}", actor=user)
            for body in portal_messages(dataset)]


def publish(dataset: DisclosureDataset, user) -> DisclosureDataset:
    require_perm(user, "publish_disclosuredataset", _("send disclosure datasets to the extranet"))
    with transaction.atomic():
        dataset = DisclosureDataset.objects.select_for_update().get(pk=dataset.pk)
        require_state(dataset, [DisclosureDataset.Status.REVIEWED], dataset.title, pgettext("workflow action", "send"))
        items = queue_for_extranet(dataset, user)
        dataset.status = DisclosureDataset.Status.QUEUED
        dataset.outbound_ref = f"outbound:{items[0].pk}-{items[-1].pk}"
        dataset.save(update_fields=["status", "outbound_ref"])
        record("finance.disclosure.publish", dataset, detail={"outbound_items": [i.pk for i in items]}, actor=user)
    return dataset
