"""Pages of the public portal that portal editors manage (bakerydemo conventions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"), icon="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"])
    notice = blocks.StructBlock(
        [("title", blocks.CharBlock(label=_("Title"))), ("text", blocks.TextBlock(label=_("Text")))],
        label=_("Notice"), icon="warning",
    )


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")
