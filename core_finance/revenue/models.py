"""Revenue database (收入数据库): tax revenue by day, revenue code and collecting office, imported
from the treasury's or tax office's files; the annual revenue budget per code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.money import MoneyField


class RevenueCode(models.Model):
    """A code of the government revenue classification (政府收入分类科目): 类 3, 款 5, 项 7 digits."""

    code = models.CharField(_("revenue code"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("revenue", "name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("revenue code")
        verbose_name_plural = _("revenue codes")

    def __str__(self):
        return f"{self.code} {self.name}"


class ImportBatch(models.Model):
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("rows"))
    total = MoneyField(_("total"), signed=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("revenue import")
        verbose_name_plural = _("revenue imports")
        permissions = [("import_revenuerecord", _("Can import tax revenue files"))]

    def __str__(self):
        return f"{self.file_name} ({self.rows})"


class RevenueRecord(models.Model):
    """One day's revenue of one code at one office; refunds (退库) are negative."""

    date = models.DateField(_("date credited to the treasury"), db_index=True)
    code = models.ForeignKey(RevenueCode, on_delete=models.PROTECT, related_name="records",
                             verbose_name=_("revenue code"))
    office = models.CharField(_("collecting office"), max_length=200)
    amount = MoneyField(pgettext_lazy("revenue", "amount"), signed=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records",
                              verbose_name=_("revenue import"))

    class Meta:
        ordering = ["-date", "code"]
        indexes = [models.Index(fields=["code", "date"], name="rev_code_date")]
        verbose_name = _("revenue record")
        verbose_name_plural = _("revenue records")

    def __str__(self):
        return f"{self.date} {self.code.code} {self.amount}"


class RevenueBudget(models.Model):
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    code = models.ForeignKey(RevenueCode, on_delete=models.PROTECT, related_name="budgets",
                             verbose_name=_("revenue code"))
    amount = MoneyField(_("annual budget"))

    class Meta:
        ordering = ["-year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="rev_budget_once")]
        verbose_name = _("revenue budget")
        verbose_name_plural = _("revenue budgets")

    def __str__(self):
        return f"{self.year} {self.code}"


class RevenuePublication(models.Model):
    """Revenue progress (by tax category, no taxpayer data) sent to the portal: one record per
    sending, the figures exactly as sent, revised by sending the same month again."""

    year = models.PositiveSmallIntegerField(_("fiscal year"))
    month = models.PositiveSmallIntegerField(pgettext_lazy("revenue", "month"))
    as_of = models.DateField(_("figures as of"))
    document_id = models.CharField(_("portal record"), max_length=64)
    revision = models.PositiveIntegerField(_("revision"))
    figures = models.JSONField(_("figures as sent"))
    outbound_ref = models.CharField(_("exchange item"), max_length=100, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["document_id", "revision"], name="rev_publication_once")]
        verbose_name = _("revenue publication")
        verbose_name_plural = _("revenue publications")
        permissions = [("publish_revenuefigures", _("Can publish revenue figures on the portal"))]

    def __str__(self):
        return f"{self.document_id} r{self.revision}"
