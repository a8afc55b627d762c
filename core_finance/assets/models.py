"""State asset management (资产管理): categories, asset cards, transfers and disposals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.errors import refuse
from core_finance.money import MoneyField


class AssetCategory(models.Model):
    """A class of the national fixed asset classification (GB/T 14885 style), with its default life."""

    code = models.CharField(_("category code"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("assets", "name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent category"))
    useful_life_years = models.PositiveSmallIntegerField(_("default useful life (years)"), default=0,
                                                         help_text=_("0: not depreciated (land, cultural relics, "
                                                                     "books and archives)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")

    def __str__(self):
        return f"{self.code} {self.name}"


class CardStatus(models.TextChoices):
    IN_USE = "in_use", _("in use")
    DISPOSED = "disposed", _("disposed")


class AssetCard(models.Model):
    number = models.CharField(_("asset number"), max_length=30, unique=True)
    name = models.CharField(_("asset name"), max_length=200)
    category = models.ForeignKey(AssetCategory, on_delete=models.PROTECT, related_name="cards",
                                 verbose_name=_("asset category"))
    agency = models.ForeignKey("core_finance.Agency", on_delete=models.PROTECT, related_name="asset_cards",
                               verbose_name=pgettext_lazy("assets", "agency"))
    location = models.CharField(_("location"), max_length=200)
    custodian = models.CharField(_("custodian"), max_length=100)
    original_value = MoneyField(_("original value"))
    acquired_on = models.DateField(_("acquisition date"))
    useful_life_months = models.PositiveSmallIntegerField(_("useful life (months)"),
                                                          help_text=_("0: not depreciated"))
    payment = models.ForeignKey("core_finance.PaymentApplication", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="asset_cards", verbose_name=_("acquisition payment"))
    status = models.CharField(pgettext_lazy("assets", "status"), max_length=20, choices=CardStatus.choices,
                              default=CardStatus.IN_USE)
    disposed_on = models.DateField(_("disposal date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.CheckConstraint(condition=Q(original_value__gt=0), name="asset_value_positive")]
        verbose_name = _("asset card")
        verbose_name_plural = _("asset register")
        permissions = [("approve_assetchange", _("Can approve asset transfers and disposals"))]

    def __str__(self):
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        # A disposed asset is history: its card is never edited again, by any path.
        if self.pk and AssetCard.objects.filter(pk=self.pk, status=CardStatus.DISPOSED).exists():
            raise refuse("posted_immutable")
        super().save(*args, **kwargs)


class ChangeKind(models.TextChoices):
    TRANSFER = "transfer", _("transfer to another agency (调拨)")
    SCRAP = "scrap", _("disposal: scrapping (报废)")
    SALE = "sale", _("disposal: sale (出售)")
    FREE_TRANSFER = "free_transfer", _("disposal: transfer free of charge (无偿划转)")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", pgettext_lazy("assets", "approved")
    REJECTED = "rejected", pgettext_lazy("assets", "rejected")


class AssetChange(models.Model):
    """A transfer or disposal request; it takes effect when someone other than its creator approves."""

    card = models.ForeignKey(AssetCard, on_delete=models.PROTECT, related_name="changes",
                             verbose_name=_("asset card"))
    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    from_agency = models.ForeignKey("core_finance.Agency", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("from agency"))
    to_agency = models.ForeignKey("core_finance.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("to agency or receiver"))
    receiver = models.CharField(_("receiver outside the register"), max_length=200, blank=True)
    proceeds = MoneyField(_("sale proceeds"), default=0)
    reason = models.CharField(_("reason"), max_length=300)
    effective_on = models.DateField(_("effective date"))
    status = models.CharField(pgettext_lazy("assets", "status"), max_length=20, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # One open request per card: two approvals could otherwise move or dispose it twice.
        constraints = [models.UniqueConstraint(fields=["card"], condition=Q(status="pending"),
                                               name="asset_one_pending_change")]
        verbose_name = _("asset transfer or disposal")
        verbose_name_plural = _("asset transfers and disposals")

    def __str__(self):
        return f"{self.card.number} {self.get_kind_display()}"
