"""Posting non-tax revenue to the core ledger (core_finance.services.ledger).

Accounts (core_finance migration 0004, modelled on the 财政总预算会计制度):

    1041 非税收入汇缴结算户存款   money paid by payers, held at the agent banks' collection accounts
    2031 应缴财政款               what is owed onwards to the treasury or a special account
    4021 非税收入                 non-tax revenue that reached the treasury (一般公共预算本级收入)
    1011 国库单一账户存款         the treasury's account (core chart)

Entries (lines carry the collecting agency, so the ledger is scoped by division like the rest):

    collection file (one entry, on the file's date)   Dr 1041 / Cr 2031 principal, Cr 2031 late fee
    approved refund                                     Dr 2031 / Cr 1041
    remittance to the treasury                          Dr 2031 / Cr 1041 and Dr 1011 / Cr 4021
    remittance into a special account                   Dr 2031 / Cr 1041, joined to the special account's
                                                        receipt entry (Dr 1031 / Cr 4031) by its service

So 1041 and 2031 each hold exactly what is collected and not yet remitted (the reconciliation's
“pending”), and 4021 what was remitted to the treasury. One ledger entry per transaction keeps the
lock order of services.base.next_number (numbers before audit records).
"""

from __future__ import annotations

from collections import defaultdict

from core_finance.money import ZERO
from core_finance.services import ledger
from core_finance.special_accounts.posting import ensure_accounts

CLEARING = "1041"  # 非税收入汇缴结算户存款
PAYABLE = "2031"  # 应缴财政款
REVENUE = "4021"  # 非税收入
CHART = {CLEARING: ("非税收入汇缴结算户存款", True), PAYABLE: ("应缴财政款", False), REVENUE: ("非税收入", False)}


def _by_agency(rows) -> dict:
    sums = defaultdict(lambda: [ZERO, ZERO])
    for agency_id, first, second in rows:
        sums[agency_id][0] += first
        sums[agency_id][1] += second
    return dict(sorted(sums.items()))


def post_collection(upload, settlements, user, memo: str):
    """One entry for the settlements of a collection file: per agency, principal and late fees."""
    ensure_accounts(CHART)
    lines = []
    for agency_id, (principal, fee) in _by_agency(
            (s.notice.item.agency_id, s.principal, s.late_fee) for s in settlements).items():
        lines.append(ledger.dr(CLEARING, principal + fee, agency_id))
        lines.append(ledger.cr(PAYABLE, principal, agency_id))
        if fee:
            lines.append(ledger.cr(PAYABLE, fee, agency_id))
    return ledger.post(memo, lines, source=f"nontax:collect:{upload.pk}", user=user, on=upload.file_date)


def post_refund(refund, agency_id, user, memo: str):
    ensure_accounts(CHART)
    return ledger.post(memo, [ledger.dr(PAYABLE, refund.amount, agency_id), ledger.cr(CLEARING, refund.amount, agency_id)],
                       source=f"nontax:refund:{refund.number}", user=user, on=refund.decided_on)


def clearing_lines(notices) -> list:
    """Per agency: what the batch owed (paid less refunded) leaves the collection account."""
    lines = []
    for agency_id, (paid, refunded) in _by_agency(
            (n.item.agency_id, n.settlement.total, n.refunded) for n in notices).items():
        if paid - refunded:
            lines += [ledger.dr(PAYABLE, paid - refunded, agency_id), ledger.cr(CLEARING, paid - refunded, agency_id)]
    return lines


def post_treasury_remittance(batch, notices, user, memo: str):
    ensure_accounts(CHART)
    lines = clearing_lines(notices)
    for agency_id, (paid, refunded) in _by_agency(
            (n.item.agency_id, n.settlement.total, n.refunded) for n in notices).items():
        if paid - refunded:
            lines += [ledger.dr(ledger.TREASURY, paid - refunded, agency_id),
                      ledger.cr(REVENUE, paid - refunded, agency_id)]
    return ledger.post(memo, lines, source=f"nontax:remit:{batch.number}", user=user, on=batch.date)
