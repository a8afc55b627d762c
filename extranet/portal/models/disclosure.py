"""预决算公开 (budget and final-accounts datasets) and 信息公开目录 (the disclosure index)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from extranet.portal.models.base import CachedPageMixin, OfficialRecord

DATASET_KINDS = [("budget", _("Budget")), ("final_accounts", _("Final accounts")), ("other", _("Other"))]


class DisclosureIndexPage(CachedPageMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.DatasetPage"]

    class Meta:
        verbose_name = _("budget disclosure index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        datasets = DatasetPage.objects.live().child_of(self).order_by("-fiscal_year", "kind", "title")
        by_year: dict[int, list] = {}
        for d in datasets:
            by_year.setdefault(d.fiscal_year, []).append(d)
        context["by_year"] = sorted(by_year.items(), reverse=True)
        return context


class DatasetPage(CachedPageMixin, OfficialRecord, Page):
    """A disclosure table. The table is always in the HTML (screen readers, no JavaScript); the
    chart is drawn from the same numbers by a static script."""

    kind = models.CharField(_("kind"), max_length=20, choices=DATASET_KINDS, default="budget")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    columns = models.JSONField(_("columns"), default=list)
    rows = models.JSONField(_("rows"), default=list)
    chart = models.JSONField(_("chart"), default=dict, blank=True)
    published_on = models.DateTimeField(_("publication date"), null=True, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("kind"), FieldPanel("fiscal_year"), FieldPanel("unit"),
                      FieldPanel("description")]
    search_fields = [*Page.search_fields, index.SearchField("description"), *OfficialRecord.official_search_fields,
                     index.FilterField("kind"), index.FilterField("fiscal_year")]
    parent_page_types = ["portal.DisclosureIndexPage"]
    subpage_types = []
    is_creatable = False
    content_type_label = _("Budget disclosure")

    class Meta:
        verbose_name = _("disclosure dataset")
        verbose_name_plural = _("disclosure datasets")

    def table_rows(self) -> list[list[dict]]:
        numeric = [bool(c.get("numeric")) for c in self.columns]
        out = []
        for row in self.rows:
            cells = []
            for i, value in enumerate(row):
                is_num = i < len(numeric) and numeric[i]
                cells.append({"value": "" if value is None else value, "numeric": is_num, "header": i == 0})
            out.append(cells)
        return out

    def chart_json(self) -> str:
        """The numbers for the chart, as JSON for a non-executed <script type="application/json">."""
        chart = self.chart or {}
        keys = [c["key"] for c in self.columns]
        label_key = chart.get("label_column") or (keys[0] if keys else "")
        value_keys = chart.get("value_columns") or [c["key"] for c in self.columns if c.get("numeric")][:1]
        if label_key not in keys or not value_keys:
            return ""
        li = keys.index(label_key)
        series = []
        for vk in value_keys:
            if vk not in keys:
                continue
            vi = keys.index(vk)
            values = []
            for row in self.rows:
                try:
                    values.append(str(Decimal(str(row[vi]).replace(",", ""))))
                except (InvalidOperation, IndexError, TypeError):
                    values.append(None)
            series.append({"label": self.columns[vi]["label"], "values": values})
        labels = [str(row[li]) if li < len(row) else "" for row in self.rows]
        data = {"type": chart.get("type", "bar"), "labels": labels, "series": series, "unit": self.unit,
                "title": self.title}
        return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def official_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, OfficialRecord) and issubclass(m, Page)]


class InfoDisclosureIndexPage(CachedPageMixin, Page):
    """信息公开目录: every official record, by category and year."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = []
    per_page = 30

    class Meta:
        verbose_name = _("information disclosure index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        categories = []
        for model in official_models():
            qs = model.objects.live().exclude(record_id=None)
            categories.append({"key": model._meta.model_name, "label": model.content_type_label, "model": model,
                               "count": qs.count(),
                               "years": sorted(set(qs.exclude(year=None).values_list("year", flat=True)),
                                               reverse=True)})
        chosen = request.GET.get("category", "")
        year = request.GET.get("year", "")
        rows = []
        for cat in categories:
            if chosen and cat["key"] != chosen:
                continue
            qs = cat["model"].objects.live().exclude(record_id=None)
            if year.isdigit():
                qs = qs.filter(year=int(year))
            rows.extend({"page": p, "category": cat["label"]} for p in qs.order_by("-year", "-pk")[:500])
        rows.sort(key=lambda r: (r["page"].year or 0, r["page"].last_published_at or r["page"].first_published_at),
                  reverse=True)
        years = sorted({y for c in categories for y in c["years"]}, reverse=True)
        context.update({"categories": categories, "chosen": chosen, "year": int(year) if year.isdigit() else None,
                        "years": years, "records": Paginator(rows, self.per_page).get_page(request.GET.get("page"))})
        return context
