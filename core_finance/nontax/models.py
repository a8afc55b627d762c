"""Non-tax revenue (非税收入): collection items and standards, payment notices (缴款书) with a
unique payment code, settlements from the agent bank's collection files, refunds, remittances
(缴库 to the treasury or into a special account) and the files received from the banks.

Each item belongs to a collecting budget agency, whose fiscal division decides who sees the item
and its notices, settlements and refunds (services/scope.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.models import Agency, FiscalDivision
from core_finance.money import MoneyField
from core_finance.special_accounts.models import SpecialAccount


class Target(models.TextChoices):
    TREASURY = "treasury", _("treasury (缴库)")
    SPECIAL = "special", _("special fiscal account (缴专户)")


class StandardKind(models.TextChoices):
    FIXED = "fixed", _("fixed amount")
    RANGE = "range", _("amount within a range")


class CollectionItem(models.Model):
    """A non-tax revenue item (收费项目) with its standard (收费标准) and legal basis."""

    code = models.CharField(_("item code"), max_length=20, unique=True)
    name = models.CharField(_("item name"), max_length=100)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("collecting agency"))
    standard_kind = models.CharField(_("standard"), max_length=10, choices=StandardKind.choices)
    fixed_amount = MoneyField(_("fixed amount"), null=True, blank=True)
    min_amount = MoneyField(_("minimum amount"), null=True, blank=True)
    max_amount = MoneyField(_("maximum amount"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    target = models.CharField(_("remitted to"), max_length=10, choices=Target.choices)
    special_account = models.ForeignKey(SpecialAccount, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("special account"))
    late_fee_rate = models.DecimalField(_("late fee per day"), max_digits=7, decimal_places=5,
                                        default=Decimal("0.00050"), help_text=_("0.00050 = 0.05% per day"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(target="treasury") | Q(special_account__isnull=False),
                                   name="ntx_item_special_needs_account",
                                   violation_error_message=_("An item remitted to a special account needs the "
                                                             "special account.")),
            models.CheckConstraint(condition=Q(standard_kind="range") | Q(fixed_amount__gt=0),
                                   name="ntx_item_fixed_amount",
                                   violation_error_message=_("A fixed standard needs an amount greater than zero.")),
            models.CheckConstraint(condition=Q(standard_kind="fixed") | Q(min_amount__gte=0,
                                                                           max_amount__gte=models.F("min_amount")),
                                   name="ntx_item_range",
                                   violation_error_message=_("A range standard needs a minimum of at least zero and a "
                                                             "maximum not below it.")),
            models.CheckConstraint(condition=Q(late_fee_rate__gte=0, late_fee_rate__lte=Decimal("0.01")),
                                   name="ntx_item_late_fee_rate",
                                   violation_error_message=_("The late fee per day must be between 0 and 0.01.")),
        ]
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")

    def __str__(self):
        return f"{self.code} {self.name}"


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("issued, awaiting payment")
    PAID = "paid", pgettext_lazy("nontax", "paid")
    CANCELLED = "cancelled", _("cancelled")


class RemittanceBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("remitted")
        REJECTED = "rejected", _("rejected")

    number = models.CharField(_("number"), max_length=30, unique=True)
    target = models.CharField(_("remitted to"), max_length=10, choices=Target.choices)
    special_account = models.ForeignKey(SpecialAccount, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("special account"))
    # The division whose agencies' notices the batch gathers (null: the home division).
    division = models.ForeignKey(FiscalDivision, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("fiscal division"))
    date = models.DateField(_("date"))
    total = MoneyField(_("total"), default=0)
    count = models.PositiveIntegerField(_("notices"), default=0)
    status = models.CharField(pgettext_lazy("nontax", "status"), max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    special_receipt = models.ForeignKey("finance_special_accounts.SpecialTransaction", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("special account receipt"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("remittance batch")
        verbose_name_plural = _("remittance batches")
        permissions = [("approve_remittancebatch", _("Can approve non-tax remittances"))]

    def __str__(self):
        return self.number


class PaymentNotice(models.Model):
    """A 缴款书: what the payer owes, identified at the bank by its payment code."""

    number = models.CharField(_("notice number"), max_length=30, unique=True)
    payment_code = models.CharField(_("payment code"), max_length=20, unique=True)
    item = models.ForeignKey(CollectionItem, on_delete=models.PROTECT, related_name="notices",
                             verbose_name=_("collection item"))
    payer_name = models.CharField(_("payer"), max_length=100)
    payer_id = models.CharField(_("payer ID or credit code"), max_length=30, blank=True)
    amount = MoneyField(_("amount due"))
    due_date = models.DateField(_("due date"))
    bank = models.CharField(_("agent bank"), max_length=20)
    status = models.CharField(pgettext_lazy("nontax", "status"), max_length=20, choices=NoticeStatus.choices,
                              default=NoticeStatus.ISSUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    refunded = MoneyField(_("refunded"), default=0)
    remittance = models.ForeignKey(RemittanceBatch, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notices", verbose_name=_("remittance batch"))

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("payment notice")
        verbose_name_plural = _("payment notices")

    def __str__(self):
        return f"{self.number} {self.payment_code}"


class CollectionFile(models.Model):
    """A collection file delivered by an agent bank; a repeated delivery is kept and marked."""

    name = models.CharField(_("file name"), max_length=200)
    bank = models.CharField(_("agent bank"), max_length=20)
    file_date = models.DateField(_("date"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    settled = models.PositiveIntegerField(_("settled"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    total = MoneyField(_("settled total"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("collection file")
        verbose_name_plural = _("collection files")

    def __str__(self):
        return self.name


class Settlement(models.Model):
    """The one settlement of a notice (the OneToOne makes a second one impossible)."""

    notice = models.OneToOneField(PaymentNotice, on_delete=models.PROTECT, related_name="settlement",
                                  verbose_name=_("payment notice"))
    file = models.ForeignKey(CollectionFile, on_delete=models.PROTECT, related_name="settlements",
                             verbose_name=_("collection file"))
    row = models.PositiveIntegerField(_("row"))
    principal = MoneyField(_("principal"))
    late_fee = MoneyField(_("late fee"), default=0)
    total = MoneyField(pgettext_lazy("nontax", "paid"))
    paid_on = models.DateField(pgettext_lazy("nontax", "paid on"))
    bank_ref = models.CharField(_("bank reference"), max_length=40, unique=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self):
        return f"{self.notice.payment_code} {self.total}"


class DuplicateLine(models.Model):
    """A line delivered again for an already settled code: recorded, never counted."""

    file = models.ForeignKey(CollectionFile, on_delete=models.PROTECT, related_name="duplicate_lines",
                             verbose_name=_("collection file"))
    row = models.PositiveIntegerField(_("row"))
    payment_code = models.CharField(_("payment code"), max_length=20)
    bank_ref = models.CharField(_("bank reference"), max_length=40)
    amount = MoneyField(_("amount"))
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="duplicates",
                                   verbose_name=_("settlement"))
    same_payment = models.BooleanField(_("same bank reference"), default=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("duplicate line")
        verbose_name_plural = _("duplicate lines")

    def __str__(self):
        return f"{self.payment_code} {self.bank_ref}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("refunded")
        REJECTED = "rejected", _("rejected")

    number = models.CharField(_("number"), max_length=30, unique=True)
    notice = models.ForeignKey(PaymentNotice, on_delete=models.PROTECT, related_name="refunds",
                               verbose_name=_("payment notice"))
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(pgettext_lazy("nontax", "status"), max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("non-tax refund")
        verbose_name_plural = _("non-tax refunds")
        permissions = [("approve_refund", _("Can approve non-tax refunds"))]

    def __str__(self):
        return self.number
