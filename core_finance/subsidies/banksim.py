"""A simulated agent bank for the “一卡通” payout file, for tests and the demo.

Like core_finance/banksim.py it imports nothing from the project and knows only the file format
(core_finance/subsidies/services/bankfile.py). It reads a payout file and writes the result file:

    python -m core_finance.subsidies.banksim PAYOUT_FILE OUT_FILE [--return-card SUBSTRING ...]

Cards containing a --return-card substring are returned (cancelled or frozen card).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path


def simulate(payout_text: str, return_cards=()) -> str:
    rows = list(csv.reader(io.StringIO(payout_text)))
    header, columns = rows[0], rows[1]
    if header[:2] != ["#JINCAI-SUBSIDY", "1"] or "line_id" not in columns:
        raise ValueError("not a subsidy payout file")
    lines = [dict(zip(columns, r, strict=False)) for r in rows[2:] if r]
    out = io.StringIO()
    out.write(f"#JINCAI-SUBSIDY-RESULT,1,{header[2]},{len(lines)}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line_id", "card_no", "status", "amount", "reason"])
    for line in lines:
        returned = any(s and s in line["card_no"] for s in return_cards)
        writer.writerow([line["line_id"], line["card_no"], "RETURNED" if returned else "PAID", line["amount"],
                         "卡号已注销" if returned else ""])
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("payout_file")
    parser.add_argument("out_file")
    parser.add_argument("--return-card", action="append", default=[])
    args = parser.parse_args(argv)
    Path(args.out_file).write_text(simulate(Path(args.payout_file).read_text("utf-8"), args.return_card), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
