"""A simulated agent bank collecting non-tax revenue, for tests and the demo.

It stands outside the project on purpose: it imports nothing from it and knows only the file
formats (see core_finance/nontax/collection.py). It reads a notice file and writes the collection
file of the payers who paid at its counters, charging the late fee by the documented rule:

    python -m core_finance.nontax.banksim NOTICE_FILE OUT_DIR [--date YYYY-MM-DD]
        [--pay CODE ...] [--repeat CODE ...]

Without --pay every listed notice is paid; --repeat delivers a code's line twice (a bank fault).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path


def fee(principal: Decimal, due: date, paid_on: date, rate: Decimal) -> Decimal:
    days = (paid_on - due).days
    if days <= 0:
        return Decimal("0.00")
    return min((principal * rate * days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), principal)


def simulate(notice_text: str, paid_on: str | None = None, pay=None, repeat=()) -> str:
    rows = list(csv.reader(io.StringIO(notice_text)))
    header, columns = rows[0], rows[1]
    if header[0] != "#JINCAI-NTX-NOTICE" or header[1] != "1":
        raise ValueError("not a notice file")
    bank, day = header[2], paid_on or header[3]
    body, total = [], Decimal("0.00")
    for values in rows[2:]:
        if not values:
            continue
        line = dict(zip(columns, values, strict=False))
        if pay is not None and line["payment_code"] not in pay:
            continue
        principal = Decimal(line["principal"])
        late = fee(principal, date.fromisoformat(line["due_date"]), date.fromisoformat(day),
                   Decimal(line["late_fee_rate"]))
        ref = "B" + hashlib.sha1(f"{bank}{line['payment_code']}".encode()).hexdigest()[:15].upper()  # noqa: S324
        row = [line["payment_code"], line["payer_name"], f"{principal:.2f}", f"{late:.2f}",
               f"{principal + late:.2f}", day, ref]
        for _i in range(2 if line["payment_code"] in repeat else 1):
            body.append(row)
            total += principal + late
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["#JINCAI-NTX-COLLECT", 1, bank, day, len(body), f"{total:.2f}"])
    writer.writerow(["payment_code", "payer_name", "principal", "late_fee", "amount", "paid_on", "bank_ref"])
    writer.writerows(body)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Simulated agent bank (non-tax collection)")
    parser.add_argument("notice_file")
    parser.add_argument("out_dir")
    parser.add_argument("--date")
    parser.add_argument("--pay", action="append")
    parser.add_argument("--repeat", action="append", default=[])
    args = parser.parse_args(argv)
    source = Path(args.notice_file)
    text = simulate(source.read_text(encoding="utf-8"), args.date, set(args.pay) if args.pay else None,
                    set(args.repeat))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / source.name.replace("NTX_NOTICE_", "NTX_COLLECT_")
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
