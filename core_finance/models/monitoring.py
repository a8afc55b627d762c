"""Payment monitoring rules (动态监控) and their hits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core_finance.money import MoneyField


class Level(models.TextChoices):
    BLUE = "blue", _("blue: log")
    YELLOW = "yellow", _("yellow: warn")
    ORANGE = "orange", _("orange: warn, attachment required")
    RED = "red", _("red: block")


class RuleKind(models.TextChoices):
    ECON_CODES = "econ_codes", _("economic codes (e.g. 三公)")
    CASH = "cash", _("cash withdrawal")
    INDIVIDUAL = "individual", _("payment to an individual above a threshold")
    AMOUNT = "amount", _("any payment above a threshold")


class MonitorRule(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    econ_prefixes = models.CharField(_("economic code prefixes"), max_length=200, blank=True,
                                     help_text=_("Comma-separated, e.g. 30217,30231,30212"))
    threshold = MoneyField(_("threshold"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring rule")
        verbose_name_plural = _("monitoring rules")

    def __str__(self):
        return f"{self.code} {self.name}"


class MonitorHit(models.Model):
    rule = models.ForeignKey(MonitorRule, on_delete=models.PROTECT, related_name="hits", verbose_name=_("rule"))
    application = models.ForeignKey("core_finance.PaymentApplication", on_delete=models.PROTECT,
                                    related_name="monitor_hits", verbose_name=_("payment application"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("monitoring hit")
        verbose_name_plural = _("monitoring hits")

    def __str__(self):
        return f"{self.rule.code} {self.application.number}"
