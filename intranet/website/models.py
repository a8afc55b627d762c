"""The internal website (财政内网网站): notices, rules and staff news with attachments and read receipts.

Items are Wagtail-edited models (not pages): each is addressed to everyone or to chosen
departments, and opening one records a read receipt for the reader.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable


class Kind(models.TextChoices):
    NOTICE = "notice", _("notice (通知公告)")
    RULE = "rule", _("rule (规章制度)")
    NEWS = "news", _("staff news (内网新闻)")


class Notice(ClusterableModel):
    kind = models.CharField(pgettext_lazy("intranet website", "kind"), max_length=10, choices=Kind.choices,
                            default=Kind.NOTICE)
    title = models.CharField(pgettext_lazy("intranet website", "title"), max_length=200)
    doc_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    body = RichTextField(_("body"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"])
    audience_all = models.BooleanField(_("for all staff"), default=True)
    departments = ParentalManyToManyField("accounts.Department", blank=True, related_name="+",
                                          verbose_name=_("for these departments"),
                                          help_text=_("Used when the item is not for all staff; sub-departments "
                                                      "are included."))
    required_reading = models.BooleanField(_("required reading"), default=False,
                                           help_text=_("Shown on every addressee's home page until they open it."))
    is_published = models.BooleanField(pgettext_lazy("intranet website", "published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("intranet item")
        verbose_name_plural = _("intranet website")
        permissions = [("view_all_receipts", _("Can see the read receipts of every intranet item"))]

    def __str__(self):
        return self.title

    def receipts_link(self):
        url = reverse("intranet_website:receipts", args=[self.pk])
        return format_html('<a href="{}">{}</a>', url, _("Read receipts"))

    receipts_link.short_description = _("read receipts")


class NoticeAttachment(Orderable):
    notice = ParentalKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("document"))
    media_type = models.CharField(_("media type"), max_length=100, blank=True, editable=False)

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.document.title


class ReadReceipt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts",
                               verbose_name=_("intranet item"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("reader"))
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        ordering = ["read_at"]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="website_one_receipt_per_reader")]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")

    def __str__(self):
        return f"{self.user} {self.read_at:%Y-%m-%d %H:%M}"
