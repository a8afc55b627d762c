"""Farmer subsidies paid through the 惠民惠农 “一卡通”: programmes, households, payment batches.

A person (a household head, identified by the identity number) is paid at most once per programme
and period: BatchLine carries a partial unique constraint over (household, programme, period) for
every line that is pending or paid; the batch service checks the same rule first, under a lock
on the programme, so the clerk gets a clear refusal rather than a database error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.models import Indicator, PaymentApplication
from core_finance.money import MoneyField
from core_finance.payroll.rules import card_number, id_number

CTX = "subsidies"


class Programme(models.Model):
    class Basis(models.TextChoices):
        HOUSEHOLD = "household", _("per household")
        AREA = "area", _("per mu of registered land")

    year = models.PositiveSmallIntegerField(_("fiscal year"))
    name = models.CharField(pgettext_lazy(CTX, "name"), max_length=200)
    legal_basis = models.CharField(_("legal basis (文件依据)"), max_length=300)
    basis = models.CharField(_("standard basis"), max_length=10, choices=Basis.choices)
    standard = MoneyField(_("standard (yuan per household or per mu)"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("indicator"))
    payout_account = models.CharField(_("bank payout account (代发户)"), max_length=40)
    payout_bank = models.CharField(_("payout bank"), max_length=100)
    is_active = models.BooleanField(pgettext_lazy(CTX, "active"), default=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("subsidy programme")
        verbose_name_plural = _("subsidy programmes")

    def __str__(self):
        return f"{self.year} {self.name}"

    def clean(self):
        if self.indicator_id and self.indicator.year != self.year:
            raise ValidationError({"indicator": _("The indicator must belong to the programme's year.")})


class Household(models.Model):
    head_name = models.CharField(_("household head (户主)"), max_length=50)
    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    town = models.CharField(_("town"), max_length=50)
    village = models.CharField(_("village"), max_length=50)
    card_number = models.CharField(_("“一卡通” card number"), max_length=19)
    card_bank = models.CharField(_("card bank"), max_length=100)
    area_mu = models.DecimalField(_("registered land (mu)"), max_digits=10, decimal_places=2, default=0)
    card_flagged = models.BooleanField(_("card returned by the bank"), default=False)
    flag_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    is_active = models.BooleanField(pgettext_lazy(CTX, "active"), default=True)
    # 乡财乡用: the township (or county) whose programmes pay this household and whose staff see it.
    division = models.ForeignKey("core_finance.FiscalDivision", null=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("fiscal division"))

    class Meta:
        ordering = ["town", "village", "head_name"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return f"{self.head_name}（{self.village}）"

    def save(self, *args, **kwargs):
        if self.division_id is None:  # like an agency: without a division, the home division
            from core_finance.models import FiscalDivision

            self.division = FiscalDivision.home()
        super().save(*args, **kwargs)

    def clean(self):
        from core_finance.errors import FinanceRuleError

        errors = {}
        for field, check in (("id_number", id_number), ("card_number", card_number)):
            try:
                setattr(self, field, check(getattr(self, field)))
            except FinanceRuleError as exc:
                errors[field] = exc.text
        if self.area_mu is not None and self.area_mu < 0:
            errors["area_mu"] = _("The land area cannot be negative.")
        if errors:
            raise ValidationError(errors)


class BatchStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy(CTX, "draft")
    SUBMITTED = "submitted", _("submitted; amount reserved")
    APPROVED = "approved", _("approved; voucher issued")
    REJECTED = "rejected", pgettext_lazy(CTX, "rejected")


class Batch(models.Model):
    number = models.CharField(pgettext_lazy(CTX, "number"), max_length=30, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches",
                                  verbose_name=_("programme"))
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY, YYYY-H1/H2 or YYYY-MM"))
    status = models.CharField(pgettext_lazy(CTX, "status"), max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.DRAFT)
    count = models.PositiveIntegerField(_("people"), default=0)
    total = MoneyField(pgettext_lazy(CTX, "total"), default=0)
    application = models.OneToOneField(PaymentApplication, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="subsidy_batch", verbose_name=_("payment application"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("prepared by"))
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    result_imported = models.BooleanField(_("bank result imported"), default=False)
    published_ref = models.CharField(_("publication reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        permissions = [("approve_batch", _("Can approve subsidy payment batches")),
                       ("publish_batch", _("Can publish beneficiary lists to the extranet"))]

    def __str__(self):
        return f"{self.number} {self.programme.name} {self.period}"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("to be paid")
    PAID = "paid", _("paid to the card")
    RETURNED = "returned", _("returned by the bank")
    VOID = "void", _("cancelled")


class BatchLine(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("batch"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payments",
                                  verbose_name=_("household"))
    card_number = models.CharField(_("“一卡通” card number"), max_length=19)
    amount = MoneyField(pgettext_lazy(CTX, "amount"))
    status = models.CharField(pgettext_lazy(CTX, "status"), max_length=10, choices=LineStatus.choices,
                              default=LineStatus.PENDING)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "programme", "period"],
                                    condition=Q(status__in=["pending", "paid"]),
                                    name="fs_one_payment_per_person_programme_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fs_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.household} {self.amount}"
