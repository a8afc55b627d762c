"""Departmental budget preparation (部门预算编制): versions, lines, "two up, two down" reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core_finance.models.agencies import Agency, Project
from core_finance.models.codes import ClassificationCode
from core_finance.money import MoneyField


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted to the department")
    DEPT_APPROVED = "dept_approved", _("forwarded to the budget section")
    CONTROL_ISSUED = "control_issued", _("control figures issued (一下)")
    APPROVED = "approved", _("approved (二下)")
    RETURNED = "returned", _("returned")


class BudgetVersion(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budget_versions",
                               verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    round = models.PositiveSmallIntegerField(_("round"), default=1, help_text=_("1: 一上, 2: 二上"))
    status = models.CharField(_("status"), max_length=20, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("previous version"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    indicators_issued = models.BooleanField(_("indicators issued"), default=False)

    class Meta:
        ordering = ["-year", "agency__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "number"], name="cf_budget_version_unique")]
        verbose_name = _("budget version")
        verbose_name_plural = _("budget preparation")
        permissions = [
            ("submit_budgetversion", _("Can submit agency budgets")),
            ("review_budgetversion", _("Can review budgets as supervising department")),
            ("approve_budgetversion", _("Can approve budgets as budget section")),
        ]

    def __str__(self):
        return f"{self.agency.name} {self.year} v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status in (BudgetStatus.DRAFT, BudgetStatus.RETURNED)


class BudgetLine(models.Model):
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("budget version"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget_lines",
                                verbose_name=_("project"))
    functional = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("functional code"))
    dept_econ = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("departmental economic code"))
    gov_econ = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("government economic code"))
    funding = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("funding source"))
    amount = MoneyField(_("amount"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "project__code", "functional__code", "dept_econ__code", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self):
        return f"{self.project.code} {self.functional.code} {self.dept_econ.code} {self.amount}"


REVIEW_ACTIONS = {
    "submit": _("submitted"), "department_approve": _("forwarded by the department"),
    "department_return": _("returned by the department"), "finance_return": _("returned by the budget section"),
    "control_issued": _("control figures issued (一下)"), "approved": _("approved (二下)"),
}


class BudgetReview(models.Model):
    """One step of the review trail: who did what, with which comment."""

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="reviews",
                                verbose_name=_("budget version"))
    action = models.CharField(_("action"), max_length=30)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("budget review step")
        verbose_name_plural = _("budget review steps")

    def __str__(self):
        return f"{self.version} {self.action}"

    @property
    def action_label(self):
        return REVIEW_ACTIONS.get(self.action, self.action)
