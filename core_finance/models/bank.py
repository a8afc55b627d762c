"""Files exchanged with the agent banks (代理银行) and daily clearing (清算)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core_finance.money import MoneyField


class BankFile(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment", _("payment file (outgoing)")
        RESULT = "result", _("result file (incoming)")
        STATEMENT = "statement", _("clearing statement (incoming)")

    class Status(models.TextChoices):
        EXPORTED = "exported", _("exported")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bank = models.CharField(_("agent bank"), max_length=20)
    file_date = models.DateField(_("date"))
    name = models.CharField(_("file name"), max_length=200)
    content = models.TextField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    total = MoneyField(_("total"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")
        permissions = [("exchange_bankfile", _("Can export payment files and import bank results"))]

    def __str__(self):
        return self.name


class ClearingRecord(models.Model):
    """Our side versus the bank's statement, per day, bank and account type."""

    date = models.DateField(_("date"))
    bank = models.CharField(_("agent bank"), max_length=20)
    account_type = models.CharField(_("account type"), max_length=10)
    paid = MoneyField(_("paid"), default=0)
    refunded = MoneyField(_("refunded"), default=0)
    cleared = MoneyField(_("cleared (ours)"), signed=True, default=0)
    bank_cleared = MoneyField(_("cleared (bank)"), signed=True, null=True, blank=True)
    reconciled = models.BooleanField(_("reconciled"), default=False)
    statement = models.ForeignKey(BankFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("statement"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-date", "bank", "account_type"]
        constraints = [models.UniqueConstraint(fields=["date", "bank", "account_type"], name="cf_clearing_unique")]
        verbose_name = _("clearing record")
        verbose_name_plural = _("daily clearing")

    def __str__(self):
        return f"{self.date} {self.bank} {self.account_type}"

    @property
    def difference(self):
        return None if self.bank_cleared is None else self.cleared - self.bank_cleared
