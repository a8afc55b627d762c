"""Fiscal divisions (财政区划): the county and its townships in one installation (乡财乡用县监管).

Every agency belongs to one division; every user belongs to at most one. A user without a
membership belongs to the installation's home division (its own level) and sees nothing below
it, so forgetting to place a user never widens what they see. A supervising member sees their
division and every division below it. core_finance/services/scope.py applies this to querysets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core_finance.money import MoneyField


class DivisionLevel(models.TextChoices):
    CITY = "city", _("city (市)")
    COUNTY = "county", _("county (县)")
    TOWNSHIP = "township", _("township (乡镇)")


HOME_CODE = "HOME"


class FiscalDivision(models.Model):
    code = models.CharField(_("division code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("supervising division"))
    is_home = models.BooleanField(_("home division of this installation"), default=False)
    # 县监管: payments of this division's agencies at or above this amount need the approval of
    # a supervising member of a division above it.
    review_threshold = MoneyField(_("county review threshold"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["is_home"], condition=Q(is_home=True),
                                               name="cf_one_home_division")]
        verbose_name = _("fiscal division")
        verbose_name_plural = _("fiscal divisions")

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"

    @classmethod
    def home(cls) -> FiscalDivision:
        """The installation's own level; created on first use (a flushed test database has none)."""
        found = cls.objects.filter(is_home=True).first()
        if found is None:
            found, _created = cls.objects.get_or_create(code=HOME_CODE, defaults={
                "name": "本级", "level": DivisionLevel.CITY, "is_home": True})
        return found

    def family_ids(self) -> list[int]:
        """This division and every division below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(FiscalDivision.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids

    def ancestor_ids(self) -> list[int]:
        ids, node = [], self
        while node.parent_id:
            ids.append(node.parent_id)
            node = FiscalDivision.objects.only("pk", "parent_id").get(pk=node.parent_id)
        return ids


class DivisionMembership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fiscal_division",
                                verbose_name=_("user"))
    division = models.ForeignKey(FiscalDivision, on_delete=models.PROTECT, related_name="members",
                                 verbose_name=_("fiscal division"))
    supervises = models.BooleanField(_("supervises the divisions below"), default=False)

    class Meta:
        ordering = ["division", "user"]
        verbose_name = _("division membership")
        verbose_name_plural = _("division memberships")

    def __str__(self):
        return f"{self.user} @ {self.division.name}"
