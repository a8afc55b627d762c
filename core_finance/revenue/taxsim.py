"""A simulated tax office / treasury: writes the daily tax revenue export in the documented
import format (docs/finance-files.md), as CSV or .xlsx. It only speaks the file format.

    python -m core_finance.revenue.taxsim OUT_FILE --years 2024 2025 2026 [--until 2026-11-29] [--bad-rows]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
from decimal import Decimal

HEADER = ["入库日期", "收入科目编码", "征收机关", "金额"]
# Yearly base per code (million yuan), before growth: about 7 billion yuan a year in all.
BASE = {"10101": 2400, "10104": 1200, "10106": 380, "10107": 260, "10109": 420, "10110": 310, "10111": 160,
        "10112": 240, "10113": 520, "10114": 90, "10118": 150, "10119": 880, "10121": 40}
# Share of the year by month (percent): quarterly corporate income tax and the December peak.
SEASON = [7, 9, 8, 10, 8, 8, 9, 7, 8, 8, 7, 11]
OFFICES = ["国家税务总局宝鸡市渭滨区税务局", "国家税务总局宝鸡市金台区税务局"]


def _wobble(*parts) -> Decimal:
    """A deterministic factor between 0.94 and 1.06, so the figures look like real collections."""
    h = int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:6], 16)
    return Decimal(94 + h % 13) / 100


def rows(years: list[int], until: dt.date, bad_rows: bool = False) -> list[list[str]]:
    out = []
    for year in years:
        growth = Decimal("1.05") ** (year - years[0])
        for month in range(1, 13):
            for code, base in BASE.items():
                for i, (day, office) in enumerate(zip((10, 25), OFFICES, strict=True)):
                    date = dt.date(year, month, day)
                    if date > until:
                        continue
                    amount = (Decimal(base) * 1000000 * SEASON[month - 1] / 100 / 2 * growth
                              * _wobble(year, month, code, i)).quantize(Decimal("0.01"))
                    out.append([date.isoformat(), code, office, str(amount)])
    if bad_rows:  # what a broken export looks like: the import must refuse the whole file
        out += [["2026-02-30", "10101", OFFICES[0], "100.00"], [until.isoformat(), "99999", OFFICES[0], "1.00"],
                [until.isoformat(), "10101", "", "1.00"], [until.isoformat(), "10101", OFFICES[0], "1.005"]]
    return out


def to_csv(data: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *data]) + "\n").encode("utf-8")


def to_xlsx(data: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for date, code, office, amount in data:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            day = date  # a broken export carries the text as it is
        sheet.append([day, code, office, amount])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--years", type=int, nargs="+", required=True)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date.today() - dt.timedelta(days=1))
    parser.add_argument("--bad-rows", action="store_true")
    args = parser.parse_args(argv)
    data = rows(args.years, args.until, args.bad_rows)
    with open(args.out, "wb") as fh:
        fh.write(to_xlsx(data) if args.out.endswith(".xlsx") else to_csv(data))
    print(f"{args.out}: {len(data)} rows")


if __name__ == "__main__":
    main()
