"""Payment plans (用款计划), payment applications and vouchers (支付凭证), refunds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core_finance.models.agencies import Agency
from core_finance.models.codes import ClassificationCode, PaymentKind
from core_finance.models.indicators import DecisionStatus, Indicator
from core_finance.money import MoneyField


class PaymentPlan(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="plans",
                                  verbose_name=_("indicator"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = MoneyField(_("planned amount"))
    used = MoneyField(_("used"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("approved by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="cf_plan_one_per_month"),
            models.CheckConstraint(condition=Q(used__lte=F("amount")), name="cf_plan_used_within_amount"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="cf_plan_month_valid"),
        ]
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        permissions = [("approve_paymentplan", _("Can approve payment plans"))]

    def __str__(self):
        return f"{self.indicator.number} {self.month:02d} {self.amount}"

    @property
    def available(self):
        return self.amount - self.used


class PaymentStatus(models.TextChoices):
    RESERVED = "reserved", _("submitted, amount reserved")
    APPROVED = "approved", _("approved, voucher issued")
    REJECTED = "rejected", _("rejected")
    SENT = "sent", _("sent to the agent bank")
    PAID = "paid", _("paid")
    RETURNED = "returned", _("returned by the bank")


# Statuses in which the payment uses the indicator (reported as executed once approved).
EXECUTED_STATUSES = (PaymentStatus.APPROVED, PaymentStatus.SENT, PaymentStatus.PAID)


class PaymentApplication(models.Model):
    number = models.CharField(_("application number"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    month = models.PositiveSmallIntegerField(_("month"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="payments", verbose_name=_("agency"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="payments",
                                  verbose_name=_("indicator"))
    plan = models.ForeignKey(PaymentPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="payments",
                             verbose_name=_("payment plan"))
    # Copied from the indicator so that reports group one table without joins.
    functional = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("functional code"))
    dept_econ = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("departmental economic code"))
    payment_type = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("payment type"))
    kind = models.CharField(_("payment kind"), max_length=20, choices=PaymentKind.choices)
    amount = MoneyField(_("amount"))
    refunded = MoneyField(_("refunded"), default=0)
    payee_name = models.CharField(_("payee"), max_length=200)
    payee_account = models.CharField(_("payee account"), max_length=40)
    payee_bank = models.CharField(_("payee bank"), max_length=200)
    payee_is_individual = models.BooleanField(_("payee is an individual"), default=False)
    is_cash = models.BooleanField(_("cash withdrawal"), default=False)
    purpose = models.CharField(_("purpose"), max_length=300)
    card_holder = models.CharField(_("card holder"), max_length=100, blank=True)
    card_tx_date = models.DateField(_("card transaction date"), null=True, blank=True)
    attachment = models.FileField(_("explanation attachment"), upload_to="finance/attachments/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.RESERVED, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded__lte=F("amount")), name="cf_refund_within_payment"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cf_payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="cf_payment_year_status")]
        verbose_name = _("payment application")
        verbose_name_plural = _("payment applications")
        permissions = [
            ("approve_paymentapplication", _("Can approve payment applications")),
            ("refund_paymentapplication", _("Can register refunds")),
        ]

    def __str__(self):
        return f"{self.number} {self.payee_name} {self.amount}"


class PaymentVoucher(models.Model):
    number = models.CharField(_("voucher number"), max_length=30, unique=True)
    application = models.OneToOneField(PaymentApplication, on_delete=models.PROTECT, related_name="voucher",
                                       verbose_name=_("payment application"))
    kind = models.CharField(_("payment kind"), max_length=20, choices=PaymentKind.choices)
    account_type = models.CharField(_("account type"), max_length=10)
    bank = models.CharField(_("agent bank"), max_length=20)
    amount = MoneyField(_("amount"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    bank_file = models.ForeignKey("core_finance.BankFile", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="vouchers", verbose_name=_("payment file"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_ref = models.CharField(_("bank reference"), max_length=60, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("payment voucher")
        verbose_name_plural = _("payment vouchers")

    def __str__(self):
        return self.number


class PaymentRefund(models.Model):
    application = models.ForeignKey(PaymentApplication, on_delete=models.PROTECT, related_name="refunds",
                                    verbose_name=_("payment application"))
    amount = MoneyField(_("amount"))
    refunded_on = models.DateField(_("refunded on"))
    reason = models.CharField(_("reason"), max_length=200)
    bank_ref = models.CharField(_("bank reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["application", "bank_ref"], condition=~Q(bank_ref=""),
                                               name="cf_refund_bank_ref_once")]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self):
        return f"{self.application.number} -{self.amount}"
