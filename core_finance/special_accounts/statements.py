"""Bank statements of the special accounts: import row by row, then match lines to records.

Statement file format (as the banks export it): CSV (UTF-8 or GB18030) or Excel .xlsx, first row
the column headings, one transaction per row. Headings may be English or Chinese:

    account_no / 账号            the special account's number (must be one of ours)
    value_date / 交易日期        YYYY-MM-DD or YYYYMMDD
    direction  / 借贷标志        C, 贷 or 收入 = money in; D, 借 or 支出 = money out
    amount     / 金额            positive, at most two decimals
    balance    / 余额            optional: the balance after the line, per the bank
    counterparty / 对方户名      optional
    bank_ref   / 流水号          the bank's unique reference of the line (required)
    memo       / 摘要            optional; our record number in it makes matching certain

Every row is checked first; if any row is bad the whole file is refused with one message per
row (row number and reason) and nothing is imported. The same file twice, or a line whose
bank reference was already imported for the account, is refused.

Matching: a line matches an approved record of the same account, direction and amount whose
value date is within MATCH_DAYS days, preferring the record whose number appears in the memo,
then the nearest date. Unmatched lines are listed for the operator, who matches them by hand.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.errors import FinanceRuleError, RowErrors, refuse
from core_finance.money import to_money
from core_finance.services.sheets import read_rows
from core_finance.special_accounts.models import (
    Direction,
    SpecialAccount,
    SpecialTransaction,
    StatementImport,
    StatementLine,
    TxStatus,
)
from core_finance.special_accounts.services import require, rule_error

MATCH_DAYS = 3
MAX_BYTES = 10 * 1024 * 1024
ALIASES = {
    "account_no": ("account_no", "账号", "账户"), "value_date": ("value_date", "交易日期", "日期"),
    "direction": ("direction", "借贷标志", "借贷"), "amount": ("amount", "金额", "发生额"),
    "balance": ("balance", "余额"), "counterparty": ("counterparty", "对方户名"),
    "bank_ref": ("bank_ref", "流水号", "交易流水号"), "memo": ("memo", "摘要", "用途"),
}
REQUIRED = ("account_no", "value_date", "direction", "amount", "bank_ref")
DIRECTIONS = {"c": Direction.RECEIPT, "cr": Direction.RECEIPT, "贷": Direction.RECEIPT, "收入": Direction.RECEIPT,
              "d": Direction.DISBURSEMENT, "dr": Direction.DISBURSEMENT, "借": Direction.DISBURSEMENT,
              "支出": Direction.DISBURSEMENT}


def parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.split(" ")[0], fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _check_row(row: dict, accounts: dict, seen: set) -> dict:
    for key in REQUIRED:
        if not row.get(key):
            raise ValueError(_("%(column)s is empty") % {"column": key})
    account = accounts.get(row["account_no"])
    if account is None:
        raise ValueError(_("account %(no)s is not a special account of ours") % {"no": row["account_no"]})
    try:
        value_date = parse_date(row["value_date"])
    except ValueError:
        raise ValueError(_("the date “%(d)s” is not valid") % {"d": row["value_date"]}) from None
    direction = DIRECTIONS.get(row["direction"].strip().lower())
    if direction is None:
        raise ValueError(_("the direction “%(d)s” is neither C (in) nor D (out)") % {"d": row["direction"]})
    try:
        amount = to_money(row["amount"], positive=True)
        balance = to_money(row["balance"]) if row.get("balance") else None
    except FinanceRuleError as exc:
        raise ValueError(exc.text) from None
    ref = row["bank_ref"]
    if len(ref) > 40 or not ref.isprintable():
        raise ValueError(_("the bank reference is not valid"))
    if (account.pk, ref) in seen:
        raise ValueError(_("bank reference %(ref)s appears twice in the file") % {"ref": ref})
    seen.add((account.pk, ref))
    if StatementLine.objects.filter(account=account, bank_ref=ref).exists():
        raise ValueError(_("bank reference %(ref)s was already imported") % {"ref": ref})
    return {"account": account, "value_date": value_date, "direction": direction, "amount": amount,
            "bank_balance": balance, "counterparty": row.get("counterparty", "")[:100], "bank_ref": ref,
            "memo": row.get("memo", "")[:200]}


def import_statement(data: bytes, name: str, user) -> StatementImport:
    """Check every row, then import all of them and auto-match; refused as a whole on any bad row."""
    require(user, "add_statementimport", _("import bank statements"))
    if len(data) > MAX_BYTES:
        raise refuse("import_failed", problem=_("the file is too large"))
    digest = hashlib.sha256(data).hexdigest()
    earlier = StatementImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise refuse("import_failed", problem=_("this file was already imported on %(when)s as %(name)s") % {
            "when": f"{earlier.created_at:%Y-%m-%d %H:%M}", "name": earlier.name})
    rows = read_rows(data, ALIASES)
    if not rows:
        raise refuse("import_failed", problem=_("the file has no lines"))
    accounts = {a.account_no: a for a in SpecialAccount.objects.all()}
    checked, errors, seen = [], [], set()
    for number, row in rows:
        try:
            checked.append((number, _check_row(row, accounts, seen)))
        except ValueError as exc:
            errors.append((number, str(exc)))
    if errors:
        raise RowErrors(errors)
    try:
        return _store(checked, name, digest, user)
    except IntegrityError:
        # Someone imported the same file or lines a moment ago; theirs stands, nothing of ours does.
        raise refuse("import_failed", problem=_("the file or some of its lines were imported at the same "
                                                "time by someone else")) from None


def _store(checked, name, digest, user) -> StatementImport:
    with transaction.atomic():
        statement = StatementImport.objects.create(name=name[:200], sha256=digest, lines=len(checked),
                                                   created_by=user)
        lines = [StatementLine.objects.create(statement=statement, row=number, **values) for number, values in checked]
        statement.matched = sum(1 for line in lines if auto_match(line))
        statement.save(update_fields=["matched"])
        record("finance.special.statement_import", statement,
               detail={"lines": len(lines), "matched": statement.matched, "sha256": digest}, actor=user)
    return statement


def candidates(line: StatementLine):
    window = timedelta(days=MATCH_DAYS)
    return SpecialTransaction.objects.filter(
        account=line.account, direction=line.direction, amount=line.amount, status=TxStatus.APPROVED,
        statement_line__isnull=True, value_date__range=(line.value_date - window, line.value_date + window))


def auto_match(line: StatementLine) -> bool:
    found = list(candidates(line).select_for_update(of=("self",)))
    if not found:
        return False
    found.sort(key=lambda t: (t.number not in line.memo, abs((t.value_date - line.value_date).days), t.pk))
    line.matched = found[0]
    line.save(update_fields=["matched"])
    return True


def match(line: StatementLine, tx: SpecialTransaction, user) -> StatementLine:
    """The operator matches an unmatched line to a record by hand (same account, direction and amount)."""
    require(user, "add_statementimport", _("import bank statements"))
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        tx = SpecialTransaction.objects.select_for_update().get(pk=tx.pk)
        if line.matched_id is not None or StatementLine.objects.filter(matched=tx).exists():
            raise refuse("state", document=line.bank_ref, state=_("matched"), action=_("match"))
        if tx.status != TxStatus.APPROVED or (tx.account_id, tx.direction, tx.amount) != (
                line.account_id, line.direction, line.amount):
            raise rule_error("sa_match", problem=_("record %(n)s does not agree with the line in account, "
                                                   "direction or amount") % {"n": tx.number})
        line.matched, line.matched_by = tx, user
        line.save(update_fields=["matched", "matched_by"])
        record("finance.special.statement_match", line, detail={"record": tx.number, "bank_ref": line.bank_ref},
               actor=user)
    return line


def unmatched_lines(account: SpecialAccount | None = None):
    qs = StatementLine.objects.filter(matched__isnull=True).select_related("account")
    return qs.filter(account=account) if account else qs


def unreconciled_records(account: SpecialAccount):
    """Approved records not yet seen on any statement of the account."""
    return SpecialTransaction.objects.filter(account=account, status=TxStatus.APPROVED,
                                             statement_line__isnull=True)
