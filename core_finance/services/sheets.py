"""Reading and writing the spreadsheets staff exchange with the system (Excel .xlsx and CSV)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from core_finance.errors import refuse

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 20000


def read_rows(data: bytes, aliases: dict[str, tuple[str, ...]]) -> list[tuple[int, dict]]:
    """Rows of the first sheet (or CSV) as ``(row_number, {key: text})`` using the header row.

    ``aliases`` maps each key to the header titles accepted for it (English or Chinese).
    """
    raw = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    try:
        header = next(raw)
    except StopIteration:
        raise refuse("import_failed", problem=_("the file is empty")) from None
    titles = {title.strip().lower(): key for key, options in aliases.items() for title in options}
    columns = {i: titles[str(h).strip().lower()] for i, h in enumerate(header) if h and str(h).strip().lower() in titles}
    if not columns:
        raise refuse("import_failed", problem=_("no known column headings in the first row"))
    out = []
    for number, values in enumerate(raw, start=2):
        if number > MAX_ROWS:
            raise refuse("import_failed", problem=_("more than %(max)s rows") % {"max": MAX_ROWS})
        row = {key: _text(values[i]) if i < len(values) else "" for i, key in columns.items()}
        if any(row.values()):
            out.append((number, row))
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores numbers as binary floats; go through repr to keep what the user typed.
        value = Decimal(repr(value))
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return str(value).strip()


def _xlsx_rows(data: bytes):
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  any unreadable workbook is the same refusal to the user
        raise refuse("import_failed", problem=_("the workbook cannot be read")) from None
    sheet = book.worksheets[0]
    yield from (list(r) for r in sheet.iter_rows(values_only=True))
    book.close()


def _csv_rows(data: bytes):
    if b"\x00" in data:
        raise refuse("import_failed", problem=_("the file is not text"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise refuse("import_failed", problem=_("the file is neither UTF-8 nor GB18030 text"))
    yield from csv.reader(io.StringIO(text))


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One workbook with a sheet per ``(title, headings, rows)``; Decimals stay exact as numbers."""
    book = Workbook()
    book.remove(book.active)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        for column, heading in zip(sheet.columns, headings, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = max(10, min(40, len(str(heading)) * 2 + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(headings: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
