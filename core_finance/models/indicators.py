"""Budget indicators (指标) and their append-only transactions.

The available balance is derived from the transactions; ``Indicator.balance`` caches it and is
only ever changed under ``select_for_update()`` in the same database transaction that appends
the transaction row (services/indicators.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core_finance.errors import refuse
from core_finance.models.agencies import Agency, Project
from core_finance.models.budget import BudgetLine
from core_finance.models.codes import ClassificationCode
from core_finance.models.common import AppendOnlyQuerySet
from core_finance.money import MoneyField


class Indicator(models.Model):
    number = models.CharField(_("indicator number"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("agency"))
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="indicators", verbose_name=_("budget line"))
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("source indicator"))
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("project"))
    functional = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("functional code"))
    dept_econ = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("departmental economic code"))
    gov_econ = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("government economic code"))
    funding = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("funding source"))
    doc_number = models.CharField(_("document number (文号)"), max_length=100)
    amount = MoneyField(_("issued amount"))
    # Caches, each equal to an aggregate of the transactions (tests check it):
    budget = MoneyField(_("current budget"), default=0)
    balance = MoneyField(_("available balance"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "number"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="cf_indicator_balance_not_negative")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        permissions = [
            ("issue_indicator", _("Can issue indicators from approved budgets")),
            ("adjust_indicator", _("Can request indicator adjustments and transfers")),
            ("approve_indicatoradjustment", _("Can approve indicator adjustments")),
            ("freeze_indicator", _("Can freeze, unfreeze and carry over indicators")),
        ]

    def __str__(self):
        return f"{self.number} {self.agency.name} {self.functional.code}/{self.dept_econ.code}"


class AdjustmentKind(models.TextChoices):
    ADD = "add", _("addition (追加)")
    DECREASE = "decrease", _("decrease (追减)")
    TRANSFER = "transfer", _("transfer (调剂)")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class IndicatorAdjustment(models.Model):
    """A request to change an indicator; it takes effect when someone other than its creator approves it."""

    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKind.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="adjustments",
                                  verbose_name=_("indicator"))
    target = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("target indicator"))
    # For a transfer into a new child indicator: the child's classification.
    target_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("target agency"))
    target_functional = models.ForeignKey(ClassificationCode, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("target functional code"))
    target_dept_econ = models.ForeignKey(ClassificationCode, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("target economic code"))
    amount = MoneyField(_("amount"))
    doc_number = models.CharField(_("document number (文号)"), max_length=100)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("indicator adjustment")
        verbose_name_plural = _("indicator adjustments")

    def __str__(self):
        return f"{self.get_kind_display()} {self.indicator.number} {self.amount}"


class TxKind(models.TextChoices):
    ISSUE = "issue", _("issued (下达)")
    ADD = "add", _("addition (追加)")
    DECREASE = "decrease", _("decrease (追减)")
    TRANSFER_OUT = "transfer_out", _("transfer out (调出)")
    TRANSFER_IN = "transfer_in", _("transfer in (调入)")
    FREEZE = "freeze", _("frozen (冻结)")
    UNFREEZE = "unfreeze", _("unfrozen (解冻)")
    APPLY = "apply", _("applied (支用)")
    RETURN = "return", _("returned by bank (退票)")
    REFUND = "refund", _("refund (退款)")
    CARRY_OUT = "carry_out", _("carried over out (结转调出)")
    CARRY_IN = "carry_in", _("carried over in (结转调入)")


# The kinds that change the indicator's budget (as opposed to its use).
BUDGET_KINDS = (TxKind.ISSUE, TxKind.ADD, TxKind.DECREASE, TxKind.TRANSFER_OUT, TxKind.TRANSFER_IN,
                TxKind.CARRY_OUT, TxKind.CARRY_IN)

# What counts towards the available balance: a decrease counts while it is pending (so the money
# cannot be spent twice), an increase only once approved; a rejected transaction never counts.
COUNTED = Q(effect__lt=0, status__in=["pending", "approved"]) | Q(effect__gt=0, status="approved")


class IndicatorTransaction(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="transactions",
                                  verbose_name=_("indicator"))
    kind = models.CharField(_("kind"), max_length=20, choices=TxKind.choices)
    amount = MoneyField(_("amount"))
    effect = MoneyField(_("effect on the available balance"), signed=True)
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices)
    adjustment = models.ForeignKey(IndicatorAdjustment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="transactions", verbose_name=_("adjustment"))
    payment = models.ForeignKey("core_finance.PaymentApplication", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="indicator_transactions", verbose_name=_("payment application"))
    counterpart = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("counterpart indicator"))
    doc_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "pk"]
        indexes = [models.Index(fields=["indicator", "status"], name="cf_itx_indicator_status")]
        verbose_name = _("indicator transaction")
        verbose_name_plural = _("indicator transactions")

    def __str__(self):
        return f"{self.indicator.number} {self.get_kind_display()} {self.effect}"

    def save(self, *args, **kwargs):
        # Appended once; afterwards only a pending row may be decided (its status), nothing else.
        if self.pk is not None and set(kwargs.get("update_fields") or ()) - {"status", "decided_at"}:
            raise refuse("posted_immutable")
        if self.pk is not None and not kwargs.get("update_fields"):
            raise refuse("posted_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise refuse("posted_immutable")

    @property
    def counted(self) -> bool:
        if self.status == DecisionStatus.REJECTED:
            return False
        return self.effect < 0 or self.status == DecisionStatus.APPROVED
