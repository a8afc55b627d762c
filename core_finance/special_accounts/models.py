"""Special fiscal accounts (财政专户): accounts at the banks, receipts and disbursements, and
imported bank statements. Approved movements are posted to the core ledger (see posting.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.money import MoneyField


class FundType(models.TextChoices):
    NONTAX = "nontax", _("non-tax revenue funds")
    SOCIAL = "social", _("social insurance funds")
    EARMARKED = "earmarked", _("earmarked transfer funds")
    CUSTODY = "custody", _("funds held in custody")
    OTHER = "other", pgettext_lazy("special accounts", "other")


class SpecialAccount(models.Model):
    bank = models.CharField(_("bank code"), max_length=20, help_text=_("e.g. ICBC"))
    bank_name = models.CharField(_("bank branch"), max_length=100)
    account_no = models.CharField(_("account number"), max_length=40, unique=True)
    name = models.CharField(_("account name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    fund_type = models.CharField(_("fund type"), max_length=20, choices=FundType.choices)
    balance = MoneyField(pgettext_lazy("special accounts", "balance"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        ordering = ["bank", "account_no"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="sa_balance_not_negative")]
        verbose_name = _("special account")
        verbose_name_plural = _("special accounts")

    def __str__(self):
        return f"{self.name}（{self.bank} {self.account_no}）"


class Direction(models.TextChoices):
    RECEIPT = "receipt", pgettext_lazy("special accounts", "receipt")
    DISBURSEMENT = "disbursement", _("disbursement")


class TxStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved and posted")
    REJECTED = "rejected", _("rejected")
    VOIDED = "voided", _("voided (reversed in the ledger)")


class SpecialTransaction(models.Model):
    """A numbered receipt (收款) or disbursement (付款) of one special account."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey(SpecialAccount, on_delete=models.PROTECT, related_name="transactions",
                                verbose_name=_("special account"))
    direction = models.CharField(pgettext_lazy("special accounts", "direction"), max_length=20, choices=Direction.choices)
    amount = MoneyField(_("amount"))
    counterparty = models.CharField(_("counterparty"), max_length=100)
    counterparty_account = models.CharField(_("counterparty account"), max_length=40, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    value_date = models.DateField(_("value date"))
    status = models.CharField(_("status"), max_length=20, choices=TxStatus.choices, default=TxStatus.PENDING)
    source = models.CharField(_("source"), max_length=60, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    balance_after = MoneyField(_("balance after"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("voided by"))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("special account transaction")
        verbose_name_plural = _("special account transactions")
        permissions = [("approve_specialtransaction", _("Can approve special account receipts and disbursements")),
                       ("void_specialtransaction", _("Can void approved special account records"))]

    def __str__(self):
        return self.number


class StatementImport(models.Model):
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self):
        return self.name


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="rows",
                                  verbose_name=_("bank statement"))
    row = models.PositiveIntegerField(_("row"))
    account = models.ForeignKey(SpecialAccount, on_delete=models.PROTECT, related_name="statement_lines",
                                verbose_name=_("special account"))
    value_date = models.DateField(_("value date"))
    direction = models.CharField(pgettext_lazy("special accounts", "direction"), max_length=20, choices=Direction.choices)
    amount = MoneyField(_("amount"))
    bank_balance = MoneyField(_("balance per bank"), null=True, blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=100, blank=True)
    bank_ref = models.CharField(_("bank reference"), max_length=40)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    matched = models.OneToOneField(SpecialTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="statement_line", verbose_name=_("matched record"))
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("matched by"))

    class Meta:
        ordering = ["value_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["account", "bank_ref"], name="sa_statement_ref_unique")]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self):
        return f"{self.account.account_no} {self.bank_ref}"
