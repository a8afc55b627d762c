"""A simulated agent bank, for tests and the demo.

It stands outside the finance core on purpose: it imports nothing from the project and knows
only the file format (see core_finance/services/bank.py). It reads a payment file and writes a
result file and a clearing statement, as a bank would:

    python -m core_finance.banksim PAYMENT_FILE OUT_DIR [--date YYYY-MM-DD]
        [--return-account SUBSTRING ...] [--refund VOUCHER=AMOUNT ...]

Payments whose payee account contains a --return-account substring are returned (退票);
--refund makes the payee send part of a payment back on the same day.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path


def simulate(payment_text: str, value_date: str | None = None, return_accounts=(), refunds=None):
    """Return ``(result_text, statement_text)`` for one payment file."""
    refunds = refunds or {}
    rows = list(csv.reader(io.StringIO(payment_text)))
    header, columns, lines = rows[0], rows[1], [dict(zip(rows[1], r, strict=False)) for r in rows[2:] if r]
    if header[0] != "#JINCAI-PAY" or header[1] != "1" or "voucher_no" not in columns:
        raise ValueError("not a payment file")
    bank, day = header[2], value_date or header[3]
    result, paid, refunded = io.StringIO(), defaultdict(Decimal), defaultdict(Decimal)
    out = csv.writer(result, lineterminator="\n")
    body = []
    for line in lines:
        amount = Decimal(line["amount"])
        ref = hashlib.sha1(f"{bank}{line['voucher_no']}".encode()).hexdigest()[:12].upper()  # noqa: S324
        if any(s and s in line["payee_account"] for s in return_accounts):
            body.append([line["voucher_no"], "RETURNED", line["amount"], "", day, "收款账号不存在"])
            continue
        body.append([line["voucher_no"], "PAID", line["amount"], f"P{ref}", day, ""])
        paid[line["account_type"]] += amount
        if line["voucher_no"] in refunds:
            back = Decimal(refunds[line["voucher_no"]])
            body.append([line["voucher_no"], "REFUND", f"{back:.2f}", f"R{ref}", day, "收款人退回"])
            refunded[line["account_type"]] += back
    out.writerow(["#JINCAI-RESULT", 1, bank, day, len(body)])
    out.writerow(["voucher_no", "status", "amount", "bank_ref", "value_date", "reason"])
    out.writerows(body)
    statement = io.StringIO()
    st = csv.writer(statement, lineterminator="\n")
    st.writerow(["#JINCAI-STATEMENT", 1, bank, day])
    st.writerow(["account_type", "paid", "refunded", "cleared"])
    for account_type in sorted(set(paid) | set(refunded)):
        p, r = paid[account_type], refunded[account_type]
        st.writerow([account_type, f"{p:.2f}", f"{r:.2f}", f"{p - r:.2f}"])
    return result.getvalue(), statement.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Simulated agent bank")
    parser.add_argument("payment_file")
    parser.add_argument("out_dir")
    parser.add_argument("--date")
    parser.add_argument("--return-account", action="append", default=[])
    parser.add_argument("--refund", action="append", default=[], help="VOUCHER=AMOUNT")
    args = parser.parse_args(argv)
    refunds = dict(item.split("=", 1) for item in args.refund)
    source = Path(args.payment_file)
    result, statement = simulate(source.read_text(encoding="utf-8"), args.date, args.return_account, refunds)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = source.stem.replace("PAY_", "")
    (out / f"RESULT_{stem}.csv").write_text(result, encoding="utf-8")
    (out / f"STATEMENT_{stem}.csv").write_text(statement, encoding="utf-8")
    print(f"wrote {out / f'RESULT_{stem}.csv'} and {out / f'STATEMENT_{stem}.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
