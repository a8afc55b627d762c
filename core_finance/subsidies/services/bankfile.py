"""The “一卡通” payout file to the agent bank and the bank's result file; formats in docs/finance-files.md.

    #JINCAI-SUBSIDY,1,<batch number>,<count>,<total>
    line_id,name,id_number,card_no,card_bank,amount

    #JINCAI-SUBSIDY-RESULT,1,<batch number>,<count>
    line_id,card_no,status,amount,reason          (status: PAID | RETURNED)

A result file is checked row by row; if any row is wrong, every wrong row is reported with its row
number and nothing is imported. Returned amounts go back to the indicator as a refund of the
batch's payment (``payments.apply_refund``), and the household's card is flagged for correction.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.errors import RowErrors
from core_finance.models import PaymentStatus
from core_finance.money import ZERO
from core_finance.payroll import rules
from core_finance.payroll.rules import deny
from core_finance.services import payments, scope
from core_finance.services.base import require_state, today
from core_finance.subsidies.models import Batch, BatchStatus, Household, LineStatus

PAY_TAG, RESULT_TAG = "#JINCAI-SUBSIDY", "#JINCAI-SUBSIDY-RESULT"
RESULT_COLUMNS = ["line_id", "card_no", "status", "amount", "reason"]
MAX_BYTES = 20 * 1024 * 1024


def payout_file(batch: Batch, user) -> tuple[str, bytes]:
    rules.require(user, "finance_subsidies.view_batch", _("export subsidy bank files"))
    scope.require_agency(user, batch.programme.indicator.agency)
    require_state(batch, [BatchStatus.APPROVED], batch.number, pgettext("workflow action", "export"))
    lines = list(batch.lines.select_related("household").filter(status=LineStatus.PENDING).order_by("pk"))
    out = io.StringIO()
    out.write(f"{PAY_TAG},1,{batch.number},{len(lines)},{sum((ln.amount for ln in lines), ZERO):.2f}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line_id", "name", "id_number", "card_no", "card_bank", "amount"])
    for ln in lines:
        writer.writerow([ln.pk, ln.household.head_name, ln.household.id_number, ln.card_number,
                         ln.household.card_bank, f"{ln.amount:.2f}"])
    name = f"SUBSIDY_{batch.number}.csv"
    with transaction.atomic():
        record("finance.subsidies.batch.bank_file", batch, detail={"file": name, "rows": len(lines)}, actor=user)
    return name, out.getvalue().encode()


def _parse(batch: Batch, data: bytes):
    if len(data) > MAX_BYTES:
        raise deny("bank_file", _("[Agent bank file rule] the file is larger than %(mb)s MB.") % {"mb": 20})
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        raise deny("bank_file", _("[Agent bank file rule] the file is not UTF-8 CSV.")) from None
    if len(rows) < 2 or rows[0][:2] != [RESULT_TAG, "1"] or len(rows[0]) < 4 or rows[1] != RESULT_COLUMNS:
        raise deny("bank_file", _("[Agent bank file rule] not a subsidy result file (expected the header "
                                  "%(tag)s,1 and the columns %(columns)s).")
                   % {"tag": RESULT_TAG, "columns": ",".join(RESULT_COLUMNS)})
    if rows[0][2] != batch.number:
        raise deny("bank_file", _("[Agent bank file rule] the file answers batch %(other)s, not %(batch)s.")
                   % {"other": rows[0][2][:30], "batch": batch.number})
    return rows[0], [(n, r) for n, r in enumerate(rows[2:], start=3) if any(c.strip() for c in r)]


def import_result(batch: Batch, data: bytes, user) -> dict:
    rules.require(user, "finance_subsidies.add_batch", _("import subsidy bank results"))
    scope.require_agency(user, batch.programme.indicator.agency)
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        require_state(batch, [BatchStatus.APPROVED], batch.number, pgettext("workflow action", "import"))
        header, rows = _parse(batch, data)
        pending = {ln.pk: ln for ln in batch.lines.select_for_update().filter(status=LineStatus.PENDING)}
        errors, seen, good = [], set(), []
        for n, row in rows:
            problem, parsed = _check_row(row, pending, seen)
            if problem:
                errors.append((n, problem))
            else:
                good.append(parsed)
        if header[3].strip() != str(len(rows)):
            errors.append((1, _("the header counts %(declared)s rows but the file has %(actual)s.")
                           % {"declared": header[3][:10], "actual": len(rows)}))
        if errors:
            raise RowErrors(errors)
        returned = [(ln, reason) for ln, status, reason in good if status == "RETURNED"]
        back = sum((ln.amount for ln, _r in returned), ZERO)
        app = batch.application
        if back and app.status != PaymentStatus.PAID:
            raise deny("bank_file", _("[Agent bank file rule] the batch's voucher %(number)s is not yet paid by the "
                                      "agent bank; import the bank's payment result first.") % {"number": app.number})
        for ln, status, reason in good:
            ln.status = LineStatus.PAID if status == "PAID" else LineStatus.RETURNED
            ln.return_reason = reason
            ln.save(update_fields=["status", "return_reason"])
        for ln, reason in returned:
            Household.objects.filter(pk=ln.household_id).update(card_flagged=True, flag_reason=reason)
        if back:
            payments.apply_refund(app, back, user, refunded_on=today(),
                                  reason=f"“一卡通”退回{len(returned)}户（{batch.number}）")
        batch.result_imported = True
        batch.save(update_fields=["result_imported"])
        summary = {"paid": len(good) - len(returned), "returned": len(returned), "returned_amount": back}
        record("finance.subsidies.batch.result", batch, detail=summary, actor=user)
    return summary


def _check_row(row, pending, seen):
    if len(row) != len(RESULT_COLUMNS):
        return _("expected %(n)s columns, found %(m)s") % {"n": len(RESULT_COLUMNS), "m": len(row)}, None
    line_id, card, status, amount, reason = (c.strip() for c in row)
    line = pending.get(int(line_id)) if line_id.isdigit() else None
    if line is None:
        return _("line %(id)s is not an unpaid line of this batch") % {"id": line_id[:20]}, None
    if line.pk in seen:
        return _("line %(id)s appears twice") % {"id": line_id}, None
    seen.add(line.pk)
    if card != line.card_number:
        return _("the card number does not match line %(id)s") % {"id": line_id}, None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = None
    if value != line.amount:
        return _("the amount %(amount)s differs from %(expected)s") % {"amount": amount[:20],
                                                                       "expected": line.amount}, None
    if status not in ("PAID", "RETURNED"):
        return _("unknown status “%(status)s” (PAID or RETURNED)") % {"status": status[:20]}, None
    if status == "RETURNED" and not reason:
        return _("a returned payment needs the bank's reason"), None
    return None, (line, status, reason[:200])
