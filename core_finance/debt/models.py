"""Government debt (债务管理): bonds and loans, their repayment schedules, repayments, due-date
alerts, and the fiscal capacity figures the debt ratios are measured against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.money import MoneyField


class InstrumentKind(models.TextChoices):
    GENERAL_BOND = "general_bond", _("general bond (一般债券)")
    SPECIAL_BOND = "special_bond", _("special bond (专项债券)")
    LOAN = "loan", _("loan (贷款)")


class RepaymentMethod(models.TextChoices):
    BULLET = "bullet", _("principal at maturity (到期一次还本)")
    ANNUITY = "annuity", _("equal instalments (等额本息)")
    INSTALLMENT = "installment", _("principal in equal parts (分期还本)")


class Frequency(models.IntegerChoices):
    ANNUAL = 1, _("annual")
    SEMIANNUAL = 2, _("semi-annual")
    QUARTERLY = 4, _("quarterly")
    MONTHLY = 12, _("monthly")


class DebtInstrument(models.Model):
    number = models.CharField(_("instrument number"), max_length=30, unique=True)
    name = models.CharField(pgettext_lazy("debt", "name"), max_length=200)
    kind = models.CharField(_("kind of debt"), max_length=20, choices=InstrumentKind.choices)
    creditor = models.CharField(_("creditor or bond code"), max_length=200)
    amount = MoneyField(_("principal"))
    annual_rate = models.DecimalField(_("annual interest rate (%)"), max_digits=7, decimal_places=4)
    issue_date = models.DateField(_("issue date"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    frequency = models.PositiveSmallIntegerField(_("payments per year"), choices=Frequency.choices,
                                                 default=Frequency.ANNUAL)
    purpose = models.CharField(_("use of proceeds"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "number"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="debt_amount_positive"),
                       models.CheckConstraint(condition=Q(annual_rate__gte=0), name="debt_rate_not_negative")]
        verbose_name = _("debt instrument")
        verbose_name_plural = _("debt instruments")
        permissions = [("repay_debtinstrument", _("Can record debt repayments")),
                       ("enter_fiscalcapacity", _("Can enter fiscal capacity figures"))]

    def __str__(self):
        return f"{self.number} {self.name}"


class LineStatus(models.TextChoices):
    DUE = "due", _("not yet paid")
    PAID = "paid", pgettext_lazy("debt", "paid")


class ScheduleLine(models.Model):
    instrument = models.ForeignKey(DebtInstrument, on_delete=models.PROTECT, related_name="lines",
                                   verbose_name=_("debt instrument"))
    seq = models.PositiveSmallIntegerField(_("period"))
    due_date = models.DateField(_("repayment due date"), db_index=True)
    principal = MoneyField(_("principal due"))
    interest = MoneyField(_("interest due"))
    status = models.CharField(pgettext_lazy("debt", "status"), max_length=10, choices=LineStatus.choices,
                              default=LineStatus.DUE)

    class Meta:
        ordering = ["instrument", "seq"]
        constraints = [models.UniqueConstraint(fields=["instrument", "seq"], name="debt_line_seq_once")]
        verbose_name = _("repayment schedule line")
        verbose_name_plural = _("repayment schedule")

    def __str__(self):
        return f"{self.instrument.number} #{self.seq} {self.due_date}"

    @property
    def total(self):
        return self.principal + self.interest


class FundSource(models.TextChoices):
    BUDGET = "budget", _("budget (through a debt-service indicator)")
    REFINANCING = "refinancing", _("refinancing bond (再融资债券)")
    PROJECT = "project", _("project income (项目收益)")


class Repayment(models.Model):
    line = models.ForeignKey(ScheduleLine, on_delete=models.PROTECT, related_name="repayments",
                             verbose_name=_("repayment schedule line"))
    source = models.CharField(_("source of funds"), max_length=20, choices=FundSource.choices)
    amount = MoneyField(pgettext_lazy("debt", "amount"))
    paid_on = models.DateField(_("repayment date"))
    # From the budget, principal (functional class 231) and interest (232) are paid by separate
    # applications on separate indicators. A part whose payment survives a voided repayment (the
    # other part failed) is carried into the next repayment of the line, so both may point to it.
    principal_payment = models.ForeignKey("core_finance.PaymentApplication", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("principal payment application"))
    interest_payment = models.ForeignKey("core_finance.PaymentApplication", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("interest payment application"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        # A schedule line is paid once: at most one repayment that is not voided.
        constraints = [models.UniqueConstraint(fields=["line"], condition=Q(voided=False),
                                               name="debt_line_repaid_once")]
        verbose_name = _("debt repayment")
        verbose_name_plural = _("debt repayments")

    def __str__(self):
        return f"{self.line} {self.amount}"

    @property
    def payments(self) -> list:
        return [p for p in (self.principal_payment, self.interest_payment) if p is not None]


class DueAlert(models.Model):
    line = models.ForeignKey(ScheduleLine, on_delete=models.CASCADE, related_name="alerts",
                             verbose_name=_("repayment schedule line"))
    days_before = models.SmallIntegerField(_("days before the due date"))
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        ordering = ["line__due_date", "days_before"]
        constraints = [models.UniqueConstraint(fields=["line", "days_before"], name="debt_alert_once")]
        verbose_name = _("due-date alert")
        verbose_name_plural = _("due-date alerts")

    def __str__(self):
        return f"{self.line} T-{self.days_before}"


class FiscalCapacity(models.Model):
    """The year's comprehensive fiscal capacity (综合财力), entered from the final accounts."""

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    capacity = MoneyField(_("comprehensive fiscal capacity (综合财力)"))
    note = models.CharField(_("basis"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("fiscal capacity")
        verbose_name_plural = _("fiscal capacity figures")

    def __str__(self):
        return f"{self.year} {self.capacity}"
