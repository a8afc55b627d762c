"""Code tables: lookups that enforce "leaf code valid for the year", import and export."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.errors import RowErrors, refuse
from core_finance.models import ClassificationCode, CodeTable, EconomicMapping, PaymentKind
from core_finance.models.codes import LEVEL_LENGTHS
from core_finance.services.base import require_perm
from core_finance.services.sheets import read_rows, to_csv, to_xlsx

COLUMNS = {
    "year": ("year", "年度"),
    "table": ("table", "代码表"),
    "code": ("code", "编码"),
    "name": ("name", "名称"),
    "payment_kind": ("payment_kind", "支付方式类别"),
    "gov_code": ("gov_code", "对应政府经济分类"),
}
TABLE_TITLES = {
    CodeTable.FUNCTIONAL: "功能分类",
    CodeTable.DEPT_ECONOMIC: "部门经济分类",
    CodeTable.GOV_ECONOMIC: "政府经济分类",
    CodeTable.FUNDING: "资金来源",
    CodeTable.PAYMENT_TYPE: "支付方式",
}
KIND_TITLES = {PaymentKind.DIRECT: "直接支付", PaymentKind.AUTHORIZED: "授权支付", PaymentKind.CARD: "公务卡"}


def table_label(table: str) -> str:
    return str(CodeTable(table).label)


def leaf_code(table: str, year: int, code) -> ClassificationCode:
    """The active leaf code ``code`` of ``table`` in ``year``; anything else is refused."""
    if isinstance(code, ClassificationCode):
        if code.table == table and code.year == year and code.is_leaf and code.is_active:
            return code
        shown = code.code
    else:
        shown = str(code or "").strip()
        # Refuse before querying: PostgreSQL rejects NUL bytes and nothing longer than 20 is a code.
        found = None if not shown.isprintable() or len(shown) > 20 else ClassificationCode.objects.filter(table=table, year=year, code=shown, is_leaf=True,
                                                  is_active=True).first()
        if found is not None:
            return found
    raise refuse("code_invalid", table=table_label(table), code=shown, year=year)


def gov_code_for(dept_econ: ClassificationCode) -> ClassificationCode:
    mapping = EconomicMapping.objects.filter(dept_code=dept_econ).select_related("gov_code").first()
    if mapping is None:
        raise refuse("mapping_missing", code=dept_econ.code, year=dept_econ.year)
    return mapping.gov_code


def _table_key(text: str) -> str | None:
    for key, title in TABLE_TITLES.items():
        if text in (key.value, title, str(key.label)):
            return key.value
    return None


def _kind_key(text: str) -> str | None:
    for key, title in KIND_TITLES.items():
        if text in (key.value, title, str(key.label)):
            return key.value
    return None


def _check_row(row: dict, known: set[tuple[int, str, str]]) -> tuple[dict | None, str | None]:
    try:
        year = int(row.get("year", ""))
    except ValueError:
        return None, _("the fiscal year “%(value)s” is not a year") % {"value": row.get("year", "")}
    if not 2000 <= year <= 2100:
        return None, _("the fiscal year “%(value)s” is not a year") % {"value": year}
    table = _table_key(row.get("table", ""))
    if table is None:
        return None, _("unknown code table “%(value)s”") % {"value": row.get("table", "")}
    code, name = row.get("code", ""), row.get("name", "")
    if not name:
        return None, _("the name is missing")
    lengths = LEVEL_LENGTHS.get(table)
    if lengths:
        if not code.isdigit() or len(code) not in lengths:
            return None, _("%(table)s code “%(code)s” must have %(lengths)s digits") % {
                "table": table_label(table), "code": code, "lengths": "/".join(map(str, lengths))}
        level = lengths.index(len(code)) + 1
        if level > 1:
            parent = code[: lengths[level - 2]]
            if (year, table, parent) not in known:
                return None, _("the parent code %(parent)s of %(code)s is missing") % {"parent": parent, "code": code}
        is_leaf = len(code) == lengths[-1]
    else:
        if not code or not code.isalnum() or len(code) > 20:
            return None, _("the code “%(code)s” is not valid") % {"code": code}
        level, is_leaf = 1, True
    kind = ""
    if table == CodeTable.PAYMENT_TYPE:
        kind = _kind_key(row.get("payment_kind", ""))
        if kind is None:
            return None, _("payment type %(code)s needs a payment kind (直接支付/授权支付/公务卡)") % {"code": code}
    gov = row.get("gov_code", "")
    if gov and not (table == CodeTable.DEPT_ECONOMIC and is_leaf):
        return None, _("only a departmental economic leaf code can name a government economic code")
    if gov and (year, CodeTable.GOV_ECONOMIC.value, gov) not in known:
        return None, _("the government economic code %(code)s is missing for %(year)s") % {"code": gov, "year": year}
    return {"year": year, "table": table, "code": code, "name": name[:200], "level": level, "is_leaf": is_leaf,
            "payment_kind": kind, "gov_code": gov}, None


def import_codes(data: bytes, user) -> dict:
    """Create or update codes (and economic mappings) from a spreadsheet; all rows or none."""
    require_perm(user, "import_classificationcode", _("import code tables"))
    return load_codes(data, user)


@transaction.atomic
def load_codes(data: bytes, user=None) -> dict:
    rows = read_rows(data, COLUMNS)
    known = set(ClassificationCode.objects.values_list("year", "table", "code"))
    for _number, row in rows:
        table = _table_key(row.get("table", ""))
        if table and row.get("year", "").isdigit():
            known.add((int(row["year"]), table, row.get("code", "")))
    checked, errors = [], []
    for number, row in rows:
        clean, problem = _check_row(row, known)
        if problem:
            errors.append((number, problem))
        else:
            checked.append(clean)
    if errors:
        raise RowErrors(errors)
    created = updated = mapped = 0
    checked.sort(key=lambda r: (r["year"], r["table"], len(r["code"]), r["code"]))
    years = {r["year"] for r in checked}
    existing = {(c.year, c.table, c.code): c for c in ClassificationCode.objects.filter(year__in=years)}
    fields = ("name", "level", "is_leaf", "payment_kind")
    changed = []
    # One bulk insert per level, parents first (bulk inserts send no per-row signals: the import is
    # audited once, below).
    for level in (1, 2, 3):
        fresh = []
        for row in (r for r in checked if r["level"] == level):
            key = (row["year"], row["table"], row["code"])
            parent = None
            if level > 1:
                lengths = LEVEL_LENGTHS[row["table"]]
                parent = existing[(row["year"], row["table"], row["code"][: lengths[level - 2]])]
            obj = existing.get(key)
            if obj is None:
                obj = ClassificationCode(parent=parent, is_active=True,
                                         **{k: row[k] for k in ("year", "table", "code", *fields)})
                fresh.append(obj)
                existing[key] = obj
            else:
                for name in fields:
                    setattr(obj, name, row[name])
                obj.parent, obj.is_active = parent, True
                if obj.pk is not None and obj not in changed:  # a repeated row of this file is new
                    changed.append(obj)
        ClassificationCode.objects.bulk_create(fresh, batch_size=500)
        created += len(fresh)
    updated = len(changed)
    ClassificationCode.objects.bulk_update(changed, [*fields, "parent", "is_active"], batch_size=500)
    mappings = {m.dept_code_id: m for m in EconomicMapping.objects.filter(year__in=years)}
    new_maps, changed_maps = [], []
    for row in checked:
        if row["gov_code"]:
            dept = existing[(row["year"], CodeTable.DEPT_ECONOMIC.value, row["code"])]
            gov = existing[(row["year"], CodeTable.GOV_ECONOMIC.value, row["gov_code"])]
            mapping = mappings.get(dept.pk)
            if mapping is None:
                new_maps.append(EconomicMapping(year=row["year"], dept_code=dept, gov_code=gov))
            else:
                mapping.gov_code = gov
                changed_maps.append(mapping)
            mapped += 1
    EconomicMapping.objects.bulk_create(new_maps)
    EconomicMapping.objects.bulk_update(changed_maps, ["gov_code"])
    result = {"created": created, "updated": updated, "mapped": mapped}
    record("finance.codes.import", detail=result, actor=user)
    return result


def export_rows(year: int | None = None) -> tuple[list[str], list[list]]:
    headings = ["年度", "代码表", "编码", "名称", "支付方式类别", "对应政府经济分类"]
    qs = ClassificationCode.objects.select_related("gov_mapping__gov_code").order_by("year", "table", "code")
    if year:
        qs = qs.filter(year=year)
    rows = []
    for c in qs:
        mapping = getattr(c, "gov_mapping", None)
        rows.append([c.year, TABLE_TITLES[CodeTable(c.table)], c.code, c.name,
                     KIND_TITLES.get(c.payment_kind, "") if c.payment_kind else "",
                     mapping.gov_code.code if mapping else ""])
    return headings, rows


def export_codes(year: int | None, fmt: str = "xlsx") -> bytes:
    headings, rows = export_rows(year)
    if fmt == "csv":
        return to_csv(headings, rows)
    return to_xlsx([(_("Code tables"), headings, rows)])
