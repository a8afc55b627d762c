"""Home, section and article pages, and what every official record page shares."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PagePermissionTester
from wagtail.search import index


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"), icon="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"])
    notice = blocks.StructBlock(
        [("title", blocks.CharBlock(label=_("Title"))), ("text", blocks.TextBlock(label=_("Text")))],
        label=_("Notice"), icon="warning",
    )


class CachedPageMixin:
    """Marks a page's anonymous GET responses as cacheable by ``extranet.portal.cache``."""

    def serve(self, request, *args, **kwargs):
        request.portal_cacheable = True
        return super().serve(request, *args, **kwargs)


class ReadOnlyPermissionTester(PagePermissionTester):
    """What an admin user may do with an official record: look at it, nothing else."""

    def can_edit(self):
        return False

    def can_delete(self, ignore_bulk=False):
        return False

    def can_unpublish(self):
        return False

    def can_publish(self):
        return False

    def can_submit_for_moderation(self):
        return False

    def can_set_view_restrictions(self):
        return False

    def can_lock(self):
        return False

    def can_unlock(self):
        return False

    def can_move(self):
        return False

    def can_copy(self):
        return False

    def can_move_to(self, destination):
        return False

    def can_copy_to(self, destination, recursive=False):
        return False

    def can_add_subpage(self):
        return False


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(html or "")).strip()


class OfficialRecord(models.Model):
    """Fields of a record that arrives by the exchange. Search indexes these (title, body text,
    document number, issuing body, year, content type)."""

    record_id = models.CharField(_("record id"), max_length=64, unique=True, null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    body_text = models.TextField(_("body text"), blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), null=True, blank=True, editable=False)

    content_type_label = _("record")
    official_search_fields = [
        index.SearchField("doc_number", boost=3),
        index.SearchField("issuer"),
        index.SearchField("body_text"),
        index.FilterField("year"),
        index.FilterField("issuer"),
    ]

    class Meta:
        abstract = True

    @property
    def is_official_record(self) -> bool:
        return bool(self.record_id)

    def permissions_for_user(self, user):
        if self.record_id:
            return ReadOnlyPermissionTester(user, self)
        return super().permissions_for_user(user)

    @property
    def search_content_type(self) -> str:
        return str(self.content_type_label)


class HomePage(CachedPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1
    subpage_types = [
        "portal.SectionIndexPage", "portal.StandardPage", "portal.PolicyIndexPage", "portal.DisclosureIndexPage",
        "portal.InfoDisclosureIndexPage", "public_consultation.InteractionIndexPage",
        "public_consultation.DraftIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from extranet.portal.models.policy import PolicyDocumentPage

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu().specific()
        context["latest_policies"] = PolicyDocumentPage.objects.live().order_by("-published_on", "-pk")[:6]
        context["latest_news"] = ArticlePage.objects.live().filter(kind="news").order_by("-date", "-pk")[:6]
        context["latest_notices"] = (ArticlePage.objects.live().exclude(kind="news")
                                     .order_by("-date", "-pk")[:6])
        return context


class StandardPage(CachedPageMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class SectionIndexPage(CachedPageMixin, Page):
    """A list of articles (新闻动态, 通知公告), newest first."""

    introduction = models.TextField(_("introduction"), blank=True)
    kind = models.CharField(_("article kind"), max_length=10, default="news",
                            choices=[("news", _("News")), ("notice", _("Notices"))])

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("kind")]
    subpage_types = ["portal.ArticlePage", "portal.StandardPage"]
    parent_page_types = ["portal.HomePage"]
    per_page = 20

    class Meta:
        verbose_name = _("section index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().child_of(self).order_by("-date", "-pk")
        context["articles"] = Paginator(articles, self.per_page).get_page(request.GET.get("page"))
        return context


class ArticlePage(CachedPageMixin, OfficialRecord, Page):
    """A news item or notice. Editors write some; official notices (including tender and award
    notices) arrive by exchange and are then read-only."""

    KINDS = [("news", _("News")), ("notice", _("Notice")), ("tender", _("Tender notice")),
             ("award", _("Award notice"))]
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS, default="news")
    date = models.DateTimeField(_("publication date"))
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    body_html = models.TextField(_("official text"), blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("date"), FieldPanel("doc_number"), FieldPanel("issuer")],
                        heading=_("Article")),
        FieldPanel("summary"), FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body"),
                     *OfficialRecord.official_search_fields, index.FilterField("kind")]
    parent_page_types = ["portal.SectionIndexPage"]
    subpage_types = []
    content_type_label = _("News and notices")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.date and not self.year:
            self.year = self.date.year
        if not self.record_id:
            self.body_text = plain_text(" ".join(str(b.render()) for b in self.body)) if self.body else ""
        return super().save(*args, **kwargs)

    @property
    def search_kind(self) -> str:  # search.models.Kind
        return "tender" if self.kind in ("tender", "award") else "news"
