"""Budget and final-accounts disclosure datasets (部门预算/决算公开)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core_finance.models.agencies import Agency


class DisclosureDataset(models.Model):
    class Kind(models.TextChoices):
        BUDGET = "budget", _("department budget (部门预算)")
        FINAL = "final", _("final accounts (部门决算)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEWED = "reviewed", _("reviewed")
        QUEUED = "queued", _("queued for the extranet")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disclosures",
                               verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    title = models.CharField(_("title"), max_length=200)
    descriptor = models.JSONField(_("data package descriptor"))
    tables = models.JSONField(_("tables"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    outbound_ref = models.CharField(_("exchange reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-year", "agency__code", "kind", "-revision"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "kind", "revision"],
                                               name="cf_disclosure_revision_unique")]
        verbose_name = _("disclosure dataset")
        verbose_name_plural = _("budget disclosure")
        permissions = [
            ("review_disclosuredataset", _("Can review disclosure datasets")),
            ("publish_disclosuredataset", _("Can send disclosure datasets to the extranet")),
        ]

    def __str__(self):
        return self.title
