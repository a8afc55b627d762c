"""Business rule refusals: one exception type carrying a rule code and a Chinese message.

Each message names the rule it enforces, so a clerk who is refused knows which rule and why.
The English msgids are translated in core_finance's own catalogue.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RULES = {
    "code_invalid": _("[Code table rule] %(table)s code “%(code)s” is not a valid leaf code for fiscal year %(year)s."),
    "amount_invalid": _("[Amount format rule] “%(value)s” is not a valid amount."),
    "amount_precision": _("[Amount precision rule] the amount “%(value)s” has more than two decimal places; "
                          "amounts are kept to the fen."),
    "amount_negative": _("[Non-negative amount rule] the amount “%(value)s” must not be negative."),
    "amount_positive": _("[Positive amount rule] the amount must be greater than zero (got “%(value)s”)."),
    "indicator_overspend": _("[Indicator control rule] indicator %(indicator)s has %(available)s yuan available, "
                             "not enough for %(amount)s yuan."),
    "plan_missing": _("[Payment plan control rule] indicator %(indicator)s has no approved payment plan for "
                      "month %(month)s."),
    "plan_overspend": _("[Payment plan control rule] the payment plan of indicator %(indicator)s for month "
                        "%(month)s has %(available)s yuan left, not enough for %(amount)s yuan."),
    "plan_exceeds_indicator": _("[Payment plan control rule] plans totalling %(total)s yuan would exceed the "
                                "budget of indicator %(indicator)s (%(budget)s yuan)."),
    "creator_approves": _("[Separation of duties rule] the creator of %(document)s may not approve or review it."),
    "period_locked": _("[Period lock rule] the accounting period %(period)s is closed and locked; nothing can be "
                       "posted into it."),
    "period_order": _("[Period close rule] periods close only forwards: the ledger is already locked through "
                      "%(locked)s."),
    "ledger_unbalanced": _("[Balanced entry rule] debits total %(debit)s yuan but credits total %(credit)s yuan."),
    "ledger_line": _("[Balanced entry rule] each line must have either a debit or a credit greater than zero."),
    "posted_immutable": _("[Posted records rule] a posted record is never edited or deleted; correct it with a "
                          "reversal."),
    "already_reversed": _("[Reversal rule] entry %(number)s has already been reversed."),
    "state": _("[Workflow rule] %(document)s is “%(state)s”; you cannot %(action)s it now."),
    "permission": _("[Permission rule] you are not allowed to %(action)s."),
    "refund_exceeds": _("[Refund limit rule] refunds of %(total)s yuan would exceed the original payment of "
                        "%(paid)s yuan."),
    "unfreeze_exceeds": _("[Freeze rule] cannot unfreeze %(amount)s yuan: only %(frozen)s yuan is frozen."),
    "transfer_invalid": _("[Transfer rule] %(problem)s"),
    "monitor_block": _("[Monitoring rule, red] %(rule)s: %(message)s. The payment is blocked."),
    "monitor_attachment": _("[Monitoring rule, orange] %(rule)s: %(message)s. Attach an explanation before "
                            "submitting."),
    "budget_empty": _("[Budget preparation rule] the budget version has no lines and cannot be submitted."),
    "comment_required": _("[Review rule] a comment is required when returning a document."),
    "mapping_missing": _("[Economic mapping rule] departmental economic code %(code)s has no government economic "
                         "code mapped for %(year)s."),
    "year_mismatch": _("[Fiscal year rule] %(what)s belongs to %(other)s, not to fiscal year %(year)s."),
    "field_required": _("[Required field rule] %(field)s is required."),
    "bank_file": _("[Agent bank file rule] %(problem)s"),
    "import_failed": _("[Import rule] the file was refused; nothing was imported: %(problem)s"),
    "carry_over": _("[Carry-over rule] %(problem)s"),
    "disclosure": _("[Disclosure rule] %(problem)s"),
    "division": _("[Division isolation rule] %(agency)s belongs to another fiscal division; you cannot act on "
                  "its data."),
    "county_review": _("[County supervision rule] payment %(number)s is at or above the county review threshold "
                       "of %(threshold)s yuan for %(division)s; a county supervisor must approve it."),
}


class FinanceRuleError(ValidationError):
    """A business rule refused an action; nothing was changed."""

    def __init__(self, rule: str, message: str):
        self.rule = rule
        self.text = message
        super().__init__(message, code=rule)

    def __str__(self):
        return self.text


def refuse(rule: str, /, **params) -> FinanceRuleError:
    """Build the refusal for ``rule`` (raise the result)."""
    return FinanceRuleError(rule, str(RULES[rule]) % {k: _display(v) for k, v in params.items()})


def _display(value):
    return value if isinstance(value, str) else str(value)


class RowErrors(FinanceRuleError):
    """An import refused as a whole, with one message per offending row."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        lines = "; ".join(str(_("row %(row)s: %(message)s") % {"row": r, "message": m}) for r, m in errors[:20])
        super().__init__("import_failed", str(RULES["import_failed"]) % {"problem": lines})
