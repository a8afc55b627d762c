"""Files exchanged with the agent banks for non-tax revenue.

Notice file (outgoing; what the bank may collect), UTF-8 CSV:

    #JINCAI-NTX-NOTICE,1,<bank>,<date>,<count>
    payment_code,payer_name,principal,due_date,late_fee_rate

Collection file (incoming; what payers paid at the bank's counters), UTF-8 CSV:

    #JINCAI-NTX-COLLECT,1,<bank>,<date>,<count>,<total>
    payment_code,payer_name,principal,late_fee,amount,paid_on,bank_ref

The bank charges the late fee by the notice file's rule: principal × late_fee_rate per day after
the due date, rounded half-up to the fen, never more than the principal; amount = principal +
late fee. bank_ref is the bank's unique reference of the payment.

Import: every line is checked first; any bad line refuses the whole file with one message per
line and nothing is imported. A code settles exactly once: a line for a code already settled
(the same file delivered again, or the payer paying twice) is recorded as a duplicate and not
counted. The notices of a file are locked in one order, so parallel deliveries neither deadlock
nor settle twice. The file's settlements and late fees post one core ledger entry, dated on the
file's date, in the same transaction (posting.py); a line paid in a closed period refuses the file.
Agent bank files carry every division's revenue: only home-division staff exchange them.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.errors import FinanceRuleError, RowErrors, refuse
from core_finance.money import ZERO, to_money
from core_finance.nontax import posting
from core_finance.nontax.models import CollectionFile, DuplicateLine, NoticeStatus, PaymentNotice, Settlement
from core_finance.nontax.services import amount_due, require, require_home, valid_code
from core_finance.services import ledger
from core_finance.services.base import today

COLLECT_COLUMNS = ["payment_code", "payer_name", "principal", "late_fee", "amount", "paid_on", "bank_ref"]
NOTICE_COLUMNS = ["payment_code", "payer_name", "principal", "due_date", "late_fee_rate"]
MAX_BYTES = 10 * 1024 * 1024


def notice_file(bank: str, on: date | None = None) -> tuple[str, str]:
    """``(name, text)`` of the notice file listing every unpaid notice payable at ``bank``."""
    on = on or today()
    notices = PaymentNotice.objects.filter(bank=bank, status=NoticeStatus.ISSUED).select_related("item").order_by(
        "pk")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["#JINCAI-NTX-NOTICE", 1, bank, on.isoformat(), len(notices)])
    writer.writerow(NOTICE_COLUMNS)
    for n in notices:
        writer.writerow([n.payment_code, n.payer_name, f"{n.amount:.2f}", n.due_date.isoformat(),
                         f"{n.item.late_fee_rate:.5f}"])
    return f"NTX_NOTICE_{bank}_{on:%Y%m%d}.csv", out.getvalue()


def _file_error(problem):
    return refuse("import_failed", problem=problem)


def _parse(data: bytes) -> tuple[str, date, list[tuple[int, dict]]]:
    if len(data) > MAX_BYTES:
        raise _file_error(_("the file is too large"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(_("the file is not UTF-8 text")) from None
    if "\x00" in text:
        raise _file_error(_("the file is not UTF-8 text"))
    reader = csv.reader(io.StringIO(text))
    header, columns = next(reader, []), next(reader, [])
    if len(header) != 6 or header[0] != "#JINCAI-NTX-COLLECT" or header[1] != "1" or columns != COLLECT_COLUMNS:
        raise _file_error(_("not a collection file (version 1) of an agent bank"))
    try:
        file_date = date.fromisoformat(header[3])
        count, total = int(header[4]), to_money(header[5])
    except (ValueError, FinanceRuleError):
        raise _file_error(_("line 1: the date, count or total is not valid")) from None
    rows = [(n, dict(zip(COLLECT_COLUMNS, values, strict=False))) for n, values in enumerate(reader, start=3)
            if any(v.strip() for v in values)]
    if count != len(rows):
        raise _file_error(_("line 1 announces %(a)s lines but the file has %(b)s") % {"a": count, "b": len(rows)})
    try:
        summed = sum((to_money(r.get("amount", "")) for _n, r in rows), ZERO)
    except FinanceRuleError:
        summed = None
    if summed is not None and summed != total:
        raise _file_error(_("line 1 announces a total of %(a)s but the lines add up to %(b)s") % {"a": total,
                                                                                                 "b": summed})
    return header[2], file_date, rows


def _check(row: dict, bank: str, file_date: date, notices: dict) -> dict:
    code = row.get("payment_code", "").strip()
    if not valid_code(code):
        raise ValueError(_("“%(c)s” is not a valid payment code (wrong length or check digit)") % {"c": code[:30]})
    notice = notices.get(code)
    if notice is None:
        raise ValueError(_("no payment notice has the code %(c)s") % {"c": code})
    if notice.bank != bank:
        raise ValueError(_("notice %(n)s is payable at %(b)s, not at this bank") % {"n": notice.number,
                                                                                  "b": notice.bank})
    if notice.status == NoticeStatus.CANCELLED:
        raise ValueError(_("notice %(n)s was cancelled") % {"n": notice.number})
    try:
        principal, fee, amount = (to_money(row.get(k, "")) for k in ("principal", "late_fee", "amount"))
        paid_on = date.fromisoformat(row.get("paid_on", "").strip())
    except FinanceRuleError as exc:
        raise ValueError(exc.text) from None
    except ValueError:
        raise ValueError(_("the payment date is not valid")) from None
    if paid_on > file_date:
        raise ValueError(_("paid on %(d)s, after the file's date") % {"d": paid_on})
    if notice.status == NoticeStatus.ISSUED:  # a duplicate of a settled code posts nothing
        try:
            ledger.check_open(paid_on)
        except FinanceRuleError as exc:
            raise ValueError(exc.text) from None
    ref = row.get("bank_ref", "").strip()
    if not ref or len(ref) > 40 or not ref.isprintable():
        raise ValueError(_("the bank reference is missing or not valid"))
    if principal != notice.amount:
        raise ValueError(_("principal %(a)s differs from the notice's %(b)s") % {"a": principal, "b": notice.amount})
    expected_fee, expected = amount_due(notice, paid_on)
    if fee != expected_fee or amount != expected:
        raise ValueError(_("paid %(a)s (late fee %(f)s) but %(e)s is due on %(d)s (late fee %(g)s)") % {
            "a": amount, "f": fee, "e": expected, "d": paid_on, "g": expected_fee})
    return {"notice": notice, "principal": principal, "late_fee": fee, "total": amount, "paid_on": paid_on,
            "bank_ref": ref}


def import_collection_file(data: bytes, name: str, user) -> CollectionFile:
    """Settle each code of the file exactly once; refused as a whole when any line is bad."""
    require(user, "add_collectionfile", _("import agent bank collection files"))
    require_home(user)
    bank, file_date, rows = _parse(data)
    codes = {r.get("payment_code", "").strip() for _n, r in rows}
    notices = {n.payment_code: n for n in PaymentNotice.objects.filter(payment_code__in=codes).select_related("item")}
    checked, errors = [], []
    for number, row in rows:
        try:
            checked.append((number, _check(row, bank, file_date, notices)))
        except ValueError as exc:
            errors.append((number, str(exc)))
    if errors:
        raise RowErrors(errors)
    with transaction.atomic():
        # One lock order for every importer: parallel deliveries queue instead of deadlocking.
        locked = {n.pk: n for n in PaymentNotice.objects.select_for_update(of=("self",)).select_related("item").filter(
            pk__in=[c["notice"].pk for _n, c in checked]).order_by("pk")}
        upload = CollectionFile.objects.create(name=name[:200], bank=bank, file_date=file_date,
                                               sha256=hashlib.sha256(data).hexdigest(), lines=len(checked),
                                               created_by=user)
        settled, duplicates, total, bad = [], [], ZERO, []
        for number, c in checked:
            notice = locked[c["notice"].pk]
            existing = Settlement.objects.filter(notice=notice).first()
            if existing is not None:
                duplicates.append(DuplicateLine(file=upload, row=number, payment_code=notice.payment_code,
                                                bank_ref=c["bank_ref"], amount=c["total"], settlement=existing,
                                                same_payment=existing.bank_ref == c["bank_ref"]))
                continue
            if Settlement.objects.filter(bank_ref=c["bank_ref"]).exists():
                bad.append((number, _("bank reference %(r)s already settled another code") % {"r": c["bank_ref"]}))
                continue
            settled.append(Settlement.objects.create(
                notice=notice, file=upload, row=number, principal=c["principal"], late_fee=c["late_fee"],
                total=c["total"], paid_on=c["paid_on"], bank_ref=c["bank_ref"]))
            notice.status = NoticeStatus.PAID
            notice.save(update_fields=["status"])
            total += c["total"]
        if bad:
            raise RowErrors(bad)  # rolls the whole file back
        DuplicateLine.objects.bulk_create(duplicates)
        upload.settled, upload.duplicates, upload.total = len(settled), len(duplicates), total
        upload.save(update_fields=["settled", "duplicates", "total"])
        if settled:
            posting.post_collection(upload, settled, user, _("Non-tax revenue collected, %(bank)s file %(name)s") % {
                "bank": bank, "name": upload.name})
        record("finance.nontax.collection_import", upload,
               detail={"bank": bank, "settled": len(settled), "duplicates": len(duplicates), "total": total,
                       "sha256": upload.sha256, "repeat_of_file": CollectionFile.objects.filter(
                           sha256=upload.sha256).exclude(pk=upload.pk).exists()},
               actor=user)
    return upload
