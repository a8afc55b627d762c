"""Special funds (专项资金): an allocation traced down to every final payment.

A fund marks one or more top indicators (the allocation, 下达). Everything distributed from
them by transfer (调剂/分配) keeps its source (Indicator.source), so the fund's indicators are
the allocations and all their descendants; their payments are the fund's payments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpecialFund(models.Model):
    code = models.CharField(_("fund code"), max_length=30, unique=True)
    name = models.CharField(_("fund name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    division = models.ForeignKey("core_finance.FiscalDivision", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("allocating division"))
    allocations = models.ManyToManyField("core_finance.Indicator", related_name="special_funds",
                                         verbose_name=_("allocation indicators"))
    purpose = models.TextField(_("purpose"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("special fund")
        verbose_name_plural = _("special funds")

    def __str__(self):
        return f"{self.code} {self.name}"
