"""Disclosure tables from spreadsheets (openpyxl): first row the column names, first column the labels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_ROWS, MAX_COLS = 5000, 30


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(repr(value))  # openpyxl gives floats; keep the digits as written
    return str(value).strip()[:500]


def _is_number(value: str | None) -> bool:
    if value in (None, ""):
        return True
    try:
        Decimal(value.replace(",", ""))
    except InvalidOperation:
        return False
    return True


def read_xlsx(fileobj) -> dict:
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ValidationError(_("The file is not a readable .xlsx spreadsheet.")) from exc
    ws = wb.worksheets[0]
    rows = []
    for n, row in enumerate(ws.iter_rows(values_only=True)):
        if n > MAX_ROWS:
            raise ValidationError(_("The table has more than %(n)s rows.") % {"n": MAX_ROWS})
        cells = [_cell(v) for v in row[:MAX_COLS]]
        if any(c not in (None, "") for c in cells):
            rows.append(cells)
    wb.close()
    if len(rows) < 2:
        raise ValidationError(_("The first sheet needs a header row and at least one data row."))
    header = [h or "" for h in rows[0]]
    width = max(i + 1 for i, h in enumerate(header) if h)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    columns = []
    for i in range(width):
        numeric = i > 0 and all(_is_number(r[i]) for r in body)
        columns.append({"key": f"c{i + 1}", "label": (header[i] or f"列{i + 1}")[:100], "numeric": numeric})
    return {"columns": columns, "rows": body}
