"""Code tables, versioned by fiscal year (政府收支分类科目)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeTable(models.TextChoices):
    FUNCTIONAL = "functional", _("functional classification")
    DEPT_ECONOMIC = "dept_econ", _("departmental economic classification")
    GOV_ECONOMIC = "gov_econ", _("government economic classification")
    FUNDING = "funding", _("funding source")
    PAYMENT_TYPE = "payment_type", _("payment type")


class PaymentKind(models.TextChoices):
    DIRECT = "direct", _("direct payment")
    AUTHORIZED = "authorized", _("authorized payment")
    CARD = "card", _("official card settlement")


# Lengths of the levels of each hierarchical table: 类 / 款 / 项.
LEVEL_LENGTHS: dict[str, tuple[int, ...]] = {
    CodeTable.FUNCTIONAL: (3, 5, 7),
    CodeTable.DEPT_ECONOMIC: (3, 5),
    CodeTable.GOV_ECONOMIC: (3, 5),
}


class ClassificationCode(models.Model):
    year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True)
    table = models.CharField(_("code table"), max_length=20, choices=CodeTable.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    is_leaf = models.BooleanField(_("leaf"), default=True)
    payment_kind = models.CharField(_("payment kind"), max_length=20, choices=PaymentKind.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["year", "table", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "table", "code"], name="cf_code_unique_per_year")]
        verbose_name = _("classification code")
        verbose_name_plural = _("code tables")
        permissions = [("import_classificationcode", _("Can import and export code tables"))]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        lengths = LEVEL_LENGTHS.get(self.table)
        if lengths:
            if not self.code.isdigit() or len(self.code) not in lengths:
                raise ValidationError({"code": _("A %(table)s code has %(lengths)s digits.") % {
                    "table": self.get_table_display(), "lengths": "/".join(map(str, lengths))}})
            self.level = lengths.index(len(self.code)) + 1
            self.is_leaf = len(self.code) == lengths[-1]
            expected = self.code[: lengths[self.level - 2]] if self.level > 1 else None
            if (self.parent.code if self.parent else None) != expected or (
                    self.parent and (self.parent.year, self.parent.table) != (self.year, self.table)):
                raise ValidationError({"parent": _("The parent must be code %(code)s of the same table and year.")
                                       % {"code": expected or "—"}})
        if self.table == CodeTable.PAYMENT_TYPE and not self.payment_kind:
            raise ValidationError({"payment_kind": _("A payment type needs its payment kind.")})


class EconomicMapping(models.Model):
    """Departmental economic code → government economic code, per year."""

    year = models.PositiveSmallIntegerField(_("fiscal year"))
    dept_code = models.OneToOneField(ClassificationCode, on_delete=models.CASCADE, related_name="gov_mapping",
                                     limit_choices_to={"table": CodeTable.DEPT_ECONOMIC, "is_leaf": True},
                                     verbose_name=_("departmental economic code"))
    gov_code = models.ForeignKey(ClassificationCode, on_delete=models.PROTECT, related_name="dept_mappings",
                                 limit_choices_to={"table": CodeTable.GOV_ECONOMIC, "is_leaf": True},
                                 verbose_name=_("government economic code"))

    class Meta:
        ordering = ["year", "dept_code__code"]
        verbose_name = _("economic classification mapping")
        verbose_name_plural = _("economic classification mappings")

    def __str__(self):
        return f"{self.dept_code.code} → {self.gov_code.code}"

    def clean(self):
        if self.dept_code_id and self.gov_code_id and not (self.dept_code.year == self.gov_code.year == self.year):
            raise ValidationError(_("Both codes must belong to the mapping's fiscal year."))
