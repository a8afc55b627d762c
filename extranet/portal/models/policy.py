"""The policy library: official documents with their 文号, validity and interpretations."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from extranet.portal.models.base import CachedPageMixin, OfficialRecord

VALIDITY = [("valid", _("In force")), ("amended", _("Amended")), ("repealed", _("Repealed"))]


class PolicyIndexPage(CachedPageMixin, Page):
    """政策文件: every policy, filterable by topic, year, document type and validity."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.PolicyDocumentPage", "portal.InterpretationPage"]
    per_page = 20

    class Meta:
        verbose_name = _("policy library")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        policies = PolicyDocumentPage.objects.live().child_of(self)
        filters = {}
        for name in ("topic", "document_type", "validity"):
            value = request.GET.get(name, "").strip()[:100]
            if value:
                filters[name] = value
        year = request.GET.get("year", "")
        if year.isdigit():
            filters["year"] = int(year)
        listed = policies.filter(**filters).order_by("-published_on", "-pk")
        context.update({
            "policies": Paginator(listed, self.per_page).get_page(request.GET.get("page")),
            "filters": filters,
            "topics": sorted(set(policies.exclude(topic="").values_list("topic", flat=True))),
            "document_types": sorted(set(policies.exclude(document_type="").values_list("document_type", flat=True))),
            "years": sorted(set(policies.exclude(year=None).values_list("year", flat=True)), reverse=True),
            "validity_choices": VALIDITY,
            "interpretations": InterpretationPage.objects.live().child_of(self).order_by("-published_on")[:10],
        })
        return context


class PolicyDocumentPage(CachedPageMixin, OfficialRecord, Page):
    document_type = models.CharField(_("document type"), max_length=50, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    written_on = models.DateField(_("date written"), null=True, blank=True)  # 成文日期
    published_on = models.DateTimeField(_("publication date"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    validity = models.CharField(_("validity"), max_length=10, choices=VALIDITY, default="valid", db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    body_html = models.TextField(_("text"), blank=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="superseded_by", verbose_name=_("replaces"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("doc_number"), FieldPanel("issuer"), FieldPanel("document_type"),
                         FieldPanel("topic"), FieldPanel("written_on"), FieldPanel("published_on"),
                         FieldPanel("validity"), FieldPanel("supersedes")], heading=_("Document")),
        FieldPanel("summary"), FieldPanel("body_html"), InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("keywords"),
                     *OfficialRecord.official_search_fields, index.FilterField("topic"),
                     index.FilterField("document_type"), index.FilterField("validity")]
    parent_page_types = ["portal.PolicyIndexPage"]
    subpage_types = []
    is_creatable = False
    content_type_label = _("Policy document")
    search_kind = "policy"  # search.models.Kind

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    @property
    def successors(self):
        return self.superseded_by.live().order_by("-published_on")

    @property
    def interpretations(self):
        return self.interpreted_by.live().order_by("-published_on")


class PolicyAttachment(Orderable):
    page = ParentalKey(PolicyDocumentPage, related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=255)

    panels = [FieldPanel("title"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")


class InterpretationPage(CachedPageMixin, OfficialRecord, Page):
    """政策解读: explains a policy document, shown with it."""

    policy = models.ForeignKey(PolicyDocumentPage, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="interpreted_by", verbose_name=_("interprets"))
    published_on = models.DateTimeField(_("publication date"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body_html = models.TextField(_("text"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("policy"), FieldPanel("issuer"), FieldPanel("published_on"),
                      FieldPanel("summary"), FieldPanel("body_html")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), *OfficialRecord.official_search_fields]
    parent_page_types = ["portal.PolicyIndexPage"]
    subpage_types = []
    is_creatable = False
    content_type_label = _("Policy interpretation")
    search_kind = "policy"

    class Meta:
        verbose_name = _("policy interpretation")
        verbose_name_plural = _("policy interpretations")
