"""Double-entry ledger for indicator and payment accounting; posted entries are never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core_finance.errors import refuse
from core_finance.models.agencies import Agency
from core_finance.models.common import AppendOnlyQuerySet
from core_finance.models.indicators import Indicator
from core_finance.money import MoneyField


class LedgerAccount(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    debit_nature = models.BooleanField(_("debit balance"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")

    def __str__(self):
        return f"{self.code} {self.name}"


class AccountingPeriod(models.Model):
    """A closed month. Everything up to the latest closed month is locked; there is no reopening."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    debit_total = MoneyField(_("debit total"), default=0)
    credit_total = MoneyField(_("credit total"), default=0)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-month"]
        constraints = [models.UniqueConstraint(fields=["year", "month"], name="cf_period_unique")]
        verbose_name = _("closed accounting period")
        verbose_name_plural = _("accounting periods")
        permissions = [("close_accountingperiod", _("Can close accounting periods"))]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise refuse("posted_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise refuse("posted_immutable")


class JournalEntry(models.Model):
    number = models.CharField(_("entry number"), max_length=30, unique=True)
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=300)
    source = models.CharField(_("source"), max_length=60, blank=True, db_index=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", verbose_name=_("reverses"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("posted by"))
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("ledger")
        permissions = [("reverse_journalentry", _("Can reverse journal entries"))]

    def __str__(self):
        return f"{self.number} {self.memo}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise refuse("posted_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise refuse("posted_immutable")


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines",
                              verbose_name=_("entry"))
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="lines",
                                verbose_name=_("account"))
    debit = MoneyField(_("debit"), default=0)
    credit = MoneyField(_("credit"), default=0)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("agency"))
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("indicator"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "pk"]
        constraints = [
            models.CheckConstraint(condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                                   name="cf_line_one_sided"),
        ]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")

    def __str__(self):
        return f"{self.account.code} D{self.debit} C{self.credit}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise refuse("posted_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise refuse("posted_immutable")
