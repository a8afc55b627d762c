"""Budget agencies (预算单位) and the project library (项目库)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from core_finance.money import MoneyField


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="units",
                               verbose_name=_("supervising department"))
    is_department = models.BooleanField(_("supervising department (主管部门)"), default=False)
    agent_bank = models.CharField(_("agent bank"), max_length=20, default="ICBC")
    zero_balance_account = models.CharField(_("zero-balance account"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    division = models.ForeignKey("core_finance.FiscalDivision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="agencies", verbose_name=_("fiscal division"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("budget agency")
        verbose_name_plural = _("budget agencies")

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # A unit sits in its supervising department's division; with neither, the home division.
        if self.division_id is None:
            from core_finance.models.divisions import FiscalDivision

            self.division_id = self.parent.division_id if self.parent_id and self.parent.division_id else \
                FiscalDivision.home().pk
        super().save(*args, **kwargs)

    def department(self) -> Agency:
        node = self
        while node.parent_id and not node.is_department:
            node = node.parent
        return node

    def family_ids(self) -> list[int]:
        """This agency and every agency below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class ProjectCategory(models.TextChoices):
    PERSONNEL = "personnel", _("personnel (人员类)")
    OPERATION = "operation", _("operation (运转类)")
    SPECIFIC = "specific", _("specific purpose (特定目标类)")


class Project(ClusterableModel):
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    code = models.CharField(_("project code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="projects", verbose_name=_("agency"))
    category = models.CharField(_("category"), max_length=20, choices=ProjectCategory.choices)
    description = models.TextField(_("description"), blank=True)
    requested_amount = MoneyField(_("requested amount"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="cf_project_code_per_year")]
        verbose_name = _("project")
        verbose_name_plural = _("project library")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_basic(self) -> bool:
        """人员类 and 运转类 projects are basic expenditure (基本支出); the rest is project expenditure."""
        return self.category in (ProjectCategory.PERSONNEL, ProjectCategory.OPERATION)


class TargetKind(models.TextChoices):
    OUTPUT = "output", _("output (产出)")
    BENEFIT = "benefit", _("benefit (效益)")
    SATISFACTION = "satisfaction", _("satisfaction (满意度)")


class PerformanceTarget(models.Model):
    project = ParentalKey(Project, on_delete=models.CASCADE, related_name="targets", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    name = models.CharField(_("indicator"), max_length=200)
    target_value = models.CharField(_("target value"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        ordering = ["project", "kind", "pk"]
        verbose_name = _("performance target")
        verbose_name_plural = _("performance targets")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} {self.target_value}{self.unit}"
