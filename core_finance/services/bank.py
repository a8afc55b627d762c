"""The agent bank interface: payment files out, result and statement files in, daily clearing.

File format (UTF-8 CSV; the first line is a header record naming the file type and version):

    #JINCAI-PAY,1,<bank>,<date>,<count>,<total>
    voucher_no,account_type,payer_account,payee_name,payee_account,payee_bank,amount,purpose

    #JINCAI-RESULT,1,<bank>,<date>,<count>
    voucher_no,status,amount,bank_ref,value_date,reason        (status: PAID | RETURNED | REFUND)

    #JINCAI-STATEMENT,1,<bank>,<date>
    account_type,paid,refunded,cleared

Reconciliation: per day, bank and account type, paid − refunded = cleared, on our side and on
the bank's statement, and the two must agree.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.conf import bank_dir
from core_finance.errors import FinanceRuleError, refuse
from core_finance.models import BankFile, ClearingRecord, PaymentRefund, PaymentStatus, PaymentVoucher
from core_finance.money import ZERO, to_money
from core_finance.services import payments
from core_finance.services.base import require_perm, today

PAY_COLUMNS = ["voucher_no", "account_type", "payer_account", "payee_name", "payee_account", "payee_bank", "amount",
               "purpose"]
RESULT_COLUMNS = ["voucher_no", "status", "amount", "bank_ref", "value_date", "reason"]
STATEMENT_COLUMNS = ["account_type", "paid", "refunded", "cleared"]
MAX_BYTES = 20 * 1024 * 1024


def _payer_account(voucher: PaymentVoucher) -> str:
    if voucher.account_type == "TSA":
        return "TSA-BJCZ-0001"
    return voucher.application.agency.zero_balance_account or f"ZBA-{voucher.application.agency.code}"


def export_payment_file(bank: str, user, on: date | None = None) -> BankFile | None:
    """Write every approved, unsent voucher of ``bank`` into one payment file (None when there is none)."""
    require_perm(user, "exchange_bankfile", _("exchange files with agent banks"))
    on = on or today()
    with transaction.atomic():
        vouchers = list(PaymentVoucher.objects.select_for_update().filter(
            bank=bank, bank_file__isnull=True, application__status=PaymentStatus.APPROVED
        ).select_related("application__agency").order_by("number"))
        if not vouchers:
            return None
        body = io.StringIO()
        writer = csv.writer(body, lineterminator="\n")
        total = sum((v.amount for v in vouchers), ZERO)
        writer.writerow(["#JINCAI-PAY", 1, bank, on.isoformat(), len(vouchers), f"{total:.2f}"])
        writer.writerow(PAY_COLUMNS)
        for v in vouchers:
            a = v.application
            writer.writerow([v.number, v.account_type, _payer_account(v), a.payee_name, a.payee_account, a.payee_bank,
                             f"{v.amount:.2f}", a.purpose])
        content = body.getvalue()
        digest = hashlib.sha256(content.encode()).hexdigest()
        name = f"PAY_{bank}_{on:%Y%m%d}_{digest[:8]}.csv"
        bank_file = BankFile.objects.create(kind=BankFile.Kind.PAYMENT, bank=bank, file_date=on, name=name,
                                            content=content, sha256=digest, lines=len(vouchers), total=total,
                                            status=BankFile.Status.EXPORTED, created_by=user)
        for v in vouchers:
            v.bank_file = bank_file
            v.save(update_fields=["bank_file"])
            v.application.status = PaymentStatus.SENT
            v.application.save(update_fields=["status"])
        record("finance.bank.export", bank_file, detail={"vouchers": len(vouchers), "total": total}, actor=user)
    (bank_dir() / "outgoing" / name).write_text(content, encoding="utf-8")
    return bank_file


def _parse(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        columns = next(reader)
    except StopIteration:
        raise refuse("bank_file", problem=_("the file has no header")) from None
    rows = [(n, dict(zip(columns, values, strict=False))) for n, values in enumerate(reader, start=3) if any(values)]
    return header, rows


def import_bank_file(data: bytes, name: str, user) -> BankFile:
    """Apply a result or statement file. The same file twice is recognised and not applied again."""
    require_perm(user, "exchange_bankfile", _("exchange files with agent banks"))
    if len(data) > MAX_BYTES:
        raise refuse("bank_file", problem=_("the file is too large"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("bank_file", problem=_("the file is not UTF-8 text")) from None
    if "\x00" in text:
        raise refuse("bank_file", problem=_("the file is not UTF-8 text"))
    digest = hashlib.sha256(data).hexdigest()
    existing = BankFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    header, rows = _parse(text)
    if len(header) < 4 or header[1] != "1":
        raise refuse("bank_file", problem=_("unknown file type or version"))
    try:
        file_date = date.fromisoformat(header[3])
    except ValueError:
        raise refuse("bank_file", problem=_("line 1: the date is not valid")) from None
    bank = header[2]
    with transaction.atomic():
        if header[0] == "#JINCAI-RESULT":
            kind, (total, touched) = BankFile.Kind.RESULT, _apply_results(bank, rows, user)
        elif header[0] == "#JINCAI-STATEMENT":
            kind, total, touched = BankFile.Kind.STATEMENT, ZERO, set()
        else:
            raise refuse("bank_file", problem=_("unknown file type or version"))
        bank_file = BankFile.objects.create(kind=kind, bank=bank, file_date=file_date, name=name[:200], content=text,
                                            sha256=digest, lines=len(rows), total=total,
                                            status=BankFile.Status.APPLIED, created_by=user)
        for key in touched:
            rebuild_clearing(*key)
        if kind == BankFile.Kind.STATEMENT:
            _apply_statement(bank_file, bank, file_date, rows)
        record("finance.bank.import", bank_file, detail={"kind": kind, "lines": len(rows), "sha256": digest},
               actor=user)
    return bank_file


def _line_error(number, problem):
    return refuse("bank_file", problem=_("line %(line)s: %(problem)s") % {"line": number, "problem": problem})


def _apply_results(bank: str, rows, user) -> tuple:
    """Check every line first (all or nothing), then apply them in file order."""
    checked = []
    for number, row in rows:
        key = row.get("voucher_no", "")
        voucher = PaymentVoucher.objects.select_related("application").filter(number=key, bank=bank).first() \
            if key.isprintable() and len(key) <= 30 else None
        if voucher is None:
            raise _line_error(number, _("unknown voucher %(v)s") % {"v": row.get("voucher_no", "")})
        status = row.get("status", "")
        try:
            amount = to_money(row.get("amount", ""), positive=True)
            value_date = date.fromisoformat(row.get("value_date", ""))
        except (FinanceRuleError, ValueError) as exc:
            raise _line_error(number, getattr(exc, "text", _("the date is not valid"))) from None
        if status in ("PAID", "RETURNED") and amount != voucher.amount:
            raise _line_error(number, _("amount %(a)s differs from the voucher's %(b)s") % {"a": amount,
                                                                                          "b": voucher.amount})
        if status not in ("PAID", "RETURNED", "REFUND"):
            raise _line_error(number, _("unknown status %(s)s") % {"s": status})
        checked.append((number, voucher, status, amount, value_date, row))
    touched, total = set(), ZERO
    for number, voucher, status, amount, value_date, row in checked:
        try:
            if status == "PAID":
                payments.mark_paid(voucher.application, value_date, row.get("bank_ref", ""), user)
                total += amount
            elif status == "RETURNED":
                payments.mark_returned(voucher.application, row.get("reason", "") or _("returned"), user)
            else:
                payments.apply_refund(voucher.application, amount, user, refunded_on=value_date,
                                      reason=row.get("reason", "") or _("refund"), bank_ref=row.get("bank_ref", ""))
        except FinanceRuleError as exc:
            raise _line_error(number, exc.text) from None
        if status != "RETURNED":
            touched.add((value_date, bank, voucher.account_type))
    return total, touched


def rebuild_clearing(on: date, bank: str, account_type: str) -> ClearingRecord:
    paid = PaymentVoucher.objects.filter(paid_on=on, bank=bank, account_type=account_type).aggregate(
        s=Sum("amount"))["s"] or ZERO
    refunded = PaymentRefund.objects.filter(refunded_on=on, application__voucher__bank=bank,
                                            application__voucher__account_type=account_type).aggregate(
        s=Sum("amount"))["s"] or ZERO
    rec, _created = ClearingRecord.objects.select_for_update().get_or_create(date=on, bank=bank,
                                                                           account_type=account_type)
    rec.paid, rec.refunded, rec.cleared = paid, refunded, paid - refunded
    rec.reconciled = rec.bank_cleared is not None and rec.bank_cleared == rec.cleared
    rec.save()
    return rec


def _apply_statement(bank_file, bank, on, rows) -> None:
    for number, row in rows:
        try:
            paid, refunded = to_money(row.get("paid", "")), to_money(row.get("refunded", ""))
            cleared = _signed(row.get("cleared", ""))
        except FinanceRuleError as exc:
            raise _line_error(number, exc.text) from None
        if paid - refunded != cleared:
            raise _line_error(number, _("paid − refunded ≠ cleared on the statement"))
        rec = rebuild_clearing(on, bank, row.get("account_type", ""))
        rec.bank_cleared, rec.statement = cleared, bank_file
        rec.reconciled = rec.cleared == cleared
        rec.save()


def _signed(text: str):
    text = (text or "").strip()
    return -to_money(text[1:]) if text.startswith("-") else to_money(text)


def import_incoming(user) -> list[BankFile]:
    """Import every file waiting in the incoming directory (moved to processed/ afterwards)."""
    folder = bank_dir() / "incoming"
    done = folder / "processed"
    done.mkdir(exist_ok=True)
    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        out.append(import_bank_file(path.read_bytes(), path.name, user))
        path.rename(done / path.name)
    return out


def reconciliation(since: date | None = None) -> list[ClearingRecord]:
    qs = ClearingRecord.objects.all()
    if since:
        qs = qs.filter(date__gte=since)
    return list(qs)
