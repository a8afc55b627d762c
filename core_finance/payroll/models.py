"""Unified payroll (工资统发): the 财供人员 database, pay items, personnel changes and monthly runs.

Periods are ``YYYYMM`` integers (202603 = March 2026), so "effective from" compares simply.
Every amount a run pays is derived from approved data only: standing amounts (StaffAmount) are
written by approved personnel changes, never edited directly.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.models import Agency, Indicator, PaymentApplication
from core_finance.money import MoneyField

# gross = net + withholdings, written as a band of half a fen: amounts have two decimals, so on
# PostgreSQL (exact numeric) this is equality, and SQLite's floating arithmetic cannot fail it wrongly.
HALF_FEN = Decimal("0.005")
BALANCED = Q(gross__gt=F("net") + F("withholdings") - HALF_FEN) & Q(gross__lt=F("net") + F("withholdings") + HALF_FEN)


def period_label(period: int | None) -> str:
    return f"{period // 100}-{period % 100:02d}" if period else "—"


class PayItem(models.Model):
    class Kind(models.TextChoices):
        EARNING = "earning", _("earning (应发)")
        WITHHOLDING = "withholding", _("withholding (代扣)")

    class Method(models.TextChoices):
        FIXED = "fixed", _("fixed monthly amount per person")
        RATE = "rate", _("percentage of the contribution base")

    code = models.CharField(pgettext_lazy("payroll", "code"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("payroll", "name"), max_length=100)
    kind = models.CharField(pgettext_lazy("payroll", "kind"), max_length=12, choices=Kind.choices)
    econ_code = models.CharField(_("economic classification code (301xx)"), max_length=5,
                                 help_text=_("A departmental economic leaf code under 301 (wages and benefits), "
                                             "checked against the code table of each run's year."))
    method = models.CharField(_("calculation"), max_length=10, choices=Method.choices, default=Method.FIXED)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    in_base = models.BooleanField(_("counts in the contribution base"), default=False)
    payee_name = models.CharField(_("withholding payee"), max_length=200, blank=True,
                                  help_text=_("Where a withholding is paid (social insurance agency, housing "
                                              "fund centre, tax office)."))
    payee_account = models.CharField(_("withholding payee account"), max_length=40, blank=True)
    payee_bank = models.CharField(_("withholding payee bank"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(pgettext_lazy("payroll", "active"), default=True)

    class Meta:
        ordering = ["kind", "position", "code"]
        verbose_name = _("pay item")
        verbose_name_plural = _("pay items")
        constraints = [models.CheckConstraint(
            condition=Q(method="fixed") | Q(rate__isnull=False, rate__gte=0, rate__lte=100),
            name="fp_payitem_rate_given")]

    def __str__(self):
        return f"{self.name}（{self.econ_code}）"

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (len(self.econ_code or "") == 5 and self.econ_code.startswith("301") and self.econ_code.isdigit()):
            raise ValidationError({"econ_code": _("A pay item maps to a 5-digit economic code under 301.")})
        if self.method == self.Method.RATE and self.rate is None:
            raise ValidationError({"rate": _("A percentage item needs its rate.")})
        if self.kind == self.Kind.WITHHOLDING and not (self.payee_name and self.payee_account and self.payee_bank):
            raise ValidationError(_("A withholding needs the payee, account and bank it is paid to."))


class Staff(models.Model):
    """One person of the 财供人员 database (financially supported staff of an agency)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="payroll_staff",
                               verbose_name=_("agency"))
    name = models.CharField(pgettext_lazy("payroll", "name"), max_length=50)
    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    position = models.CharField(_("position"), max_length=100)
    grade = models.CharField(_("grade"), max_length=50)
    bank_card = models.CharField(_("salary card"), max_length=19)
    bank_name = models.CharField(_("card bank"), max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="payroll_staff", verbose_name=_("login account"))
    hired_from = models.PositiveIntegerField(_("paid from (YYYYMM)"))
    left_from = models.PositiveIntegerField(_("not paid from (YYYYMM)"), null=True, blank=True)

    class Meta:
        ordering = ["agency__code", "name"]
        verbose_name = _("supported staff member")
        verbose_name_plural = _("supported staff (财供人员)")

    def __str__(self):
        return f"{self.name}（{self.agency.name}）"

    def paid_in(self, period: int) -> bool:
        return self.hired_from <= period and (self.left_from is None or period < self.left_from)


class StaffAmount(models.Model):
    """A standing monthly amount of a fixed pay item, from an approved change, effective from a period."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="amounts", verbose_name=_("staff"))
    item = models.ForeignKey(PayItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("pay item"))
    amount = MoneyField(pgettext_lazy("payroll", "amount"))
    effective_from = models.PositiveIntegerField(_("effective from (YYYYMM)"))
    change = models.ForeignKey("PersonnelChange", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("personnel change"))

    class Meta:
        ordering = ["staff", "item", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["staff", "item", "effective_from"],
                                               name="fp_amount_once_per_period")]

    def __str__(self):
        return f"{self.item.name} {self.amount}（{period_label(self.effective_from)}）"


class Decision(models.TextChoices):
    PENDING = "pending", _("awaiting the personnel office")
    APPROVED = "approved", pgettext_lazy("payroll", "approved")
    REJECTED = "rejected", pgettext_lazy("payroll", "rejected")


class PersonnelChange(models.Model):
    class Kind(models.TextChoices):
        HIRE = "hire", _("hire (入职)")
        LEAVE = "leave", _("leaver (离职)")
        RAISE = "raise", _("pay change (调资)")

    number = models.CharField(pgettext_lazy("payroll", "number"), max_length=30, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    kind = models.CharField(pgettext_lazy("payroll", "kind"), max_length=10, choices=Kind.choices)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="changes",
                              verbose_name=_("staff"))
    effective_from = models.PositiveIntegerField(_("effective from (YYYYMM)"))
    data = models.JSONField(_("requested data"), default=dict)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(pgettext_lazy("payroll", "status"), max_length=10, choices=Decision.choices,
                              default=Decision.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personnel change")
        verbose_name_plural = _("personnel changes")
        permissions = [("approve_personnelchange", _("Can approve personnel changes (personnel office)"))]

    def __str__(self):
        who = self.staff.name if self.staff_id else self.data.get("name", "")
        return f"{self.number} {self.get_kind_display()} {who}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("payroll", "draft")
    SUBMITTED = "submitted", _("submitted; amounts reserved")
    APPROVED = "approved", _("approved; vouchers issued")


class PayrollRun(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="payroll_runs",
                               verbose_name=_("agency"))
    period = models.PositiveIntegerField(_("month (YYYYMM)"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("wage indicator"))
    status = models.CharField(pgettext_lazy("payroll", "status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.DRAFT)
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    gross = MoneyField(_("gross pay"), default=0)
    withholdings = MoneyField(_("withholdings"), default=0)
    net = MoneyField(_("net pay"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("prepared by"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("approved by"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-period", "agency__code"]
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        constraints = [
            models.UniqueConstraint(fields=["agency", "period"], name="fp_one_run_per_agency_month"),
            models.CheckConstraint(condition=BALANCED, name="fp_run_gross_balances"),
        ]
        permissions = [("approve_payrollrun", _("Can approve payroll runs"))]

    def __str__(self):
        return f"{self.agency.name} {period_label(self.period)}"

    @property
    def year(self) -> int:
        return self.period // 100

    @property
    def month(self) -> int:
        return self.period % 100


class RunPayment(models.Model):
    """A payment application a run created through the indicator check (net pay, or one withholding)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payments", verbose_name=_("run"))
    application = models.OneToOneField(PaymentApplication, on_delete=models.PROTECT, related_name="payroll_run",
                                       verbose_name=_("payment application"))
    item = models.ForeignKey(PayItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("withholding"))

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self):
        return str(self.application)


class Payslip(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="slips", verbose_name=_("run"))
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="slips", verbose_name=_("staff"))
    name = models.CharField(pgettext_lazy("payroll", "name"), max_length=50)
    bank_card = models.CharField(_("salary card"), max_length=19)
    bank_name = models.CharField(_("card bank"), max_length=100)
    gross = MoneyField(_("gross pay"))
    withholdings = MoneyField(_("withholdings"))
    net = MoneyField(_("net pay"))

    class Meta:
        ordering = ["run", "staff__name"]
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        constraints = [
            models.UniqueConstraint(fields=["run", "staff"], name="fp_one_slip_per_person"),
            models.CheckConstraint(condition=BALANCED, name="fp_slip_gross_balances"),
        ]

    def __str__(self):
        return f"{self.name} {self.run}"


class PayLine(models.Model):
    slip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines", verbose_name=_("payslip"))
    item = models.ForeignKey(PayItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("pay item"))
    name = models.CharField(pgettext_lazy("payroll", "name"), max_length=100)
    kind = models.CharField(pgettext_lazy("payroll", "kind"), max_length=12, choices=PayItem.Kind.choices)
    econ_code = models.CharField(_("economic code"), max_length=5)
    amount = MoneyField(pgettext_lazy("payroll", "amount"))

    class Meta:
        ordering = ["slip", "kind", "pk"]

    def __str__(self):
        return f"{self.name} {self.amount}"
