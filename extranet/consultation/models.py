"""互动交流 and 意见征集 on the public side: what the public submits, and the replies, drafts and
summaries that come back by exchange."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from extranet.portal.models import CachedPageMixin, OfficialRecord

KINDS = [("question", _("Question")), ("comment", _("Comment on a draft")), ("error_report", _("Error report")),
         ("feedback", _("Page feedback"))]
PREFIX = {"question": "ZX", "comment": "YJ", "error_report": "JC", "feedback": "JC"}
TOPICS = [
    ("budget", _("Budget and final accounts")), ("policy", _("Fiscal policy")), ("tax", _("Taxes and fees")),
    ("procurement", _("Government procurement")), ("payment", _("Treasury payments")), ("other", _("Other")),
]
STATUSES = [
    ("submitted", _("Submitted, waiting for transfer")), ("received", _("Received by the bureau")),
    ("assigned", _("Being handled")), ("answered", _("Answered")), ("closed", _("Closed")),
    ("rejected", _("Not accepted")),
]


class Submission(models.Model):
    """One thing the public sent. Kept here so the sender can follow it by tracking number; the
    same content is in the exchange outbox (created in the same transaction)."""

    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True, null=True)
    access_code = models.CharField(_("access code"), max_length=128, blank=True)  # hashed
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    topic = models.CharField(_("topic"), max_length=20, choices=TOPICS, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=254, blank=True)
    wants_public = models.BooleanField(_("may be published"), default=False)
    draft = models.ForeignKey("public_consultation.DraftPage", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="comments")
    section = models.CharField(_("section"), max_length=100, blank=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="submitted")
    department = models.CharField(_("handled by"), max_length=100, blank=True)
    status_note = models.CharField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply_html = models.TextField(_("reply"), blank=True)
    reply_public = models.BooleanField(_("reply published"), default=False)
    outbox_item_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public submission")
        verbose_name_plural = _("public submissions")

    def __str__(self):
        return self.tracking_no or f"#{self.pk}"


def question_statistics() -> dict:
    """Received, answered and the average days to answer, for the public page."""
    questions = Submission.objects.filter(kind="question")
    data = questions.aggregate(received=Count("pk"), answered=Count("pk", filter=Q(replied_at__isnull=False)),
                               avg=Avg(F("replied_at") - F("created_at"), filter=Q(replied_at__isnull=False)))
    avg = data["avg"]
    days = round(avg.total_seconds() / 86400, 1) if avg is not None else None
    return {"received": data["received"], "answered": data["answered"], "average_days": days}


class InteractionIndexPage(CachedPageMixin, Page):
    """互动交流: how to ask, the statistics, and the published replies."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["public_consultation.QAReplyPage"]

    class Meta:
        verbose_name = _("interaction index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        replies = QAReplyPage.objects.live().child_of(self).order_by("-replied_at")
        context["replies"] = Paginator(replies, 20).get_page(request.GET.get("page"))
        context["stats"] = question_statistics()
        return context


class QAReplyPage(CachedPageMixin, OfficialRecord, Page):
    """A question and its approved reply, published because the asker agreed."""

    topic = models.CharField(_("topic"), max_length=50, blank=True)
    question = models.TextField(_("question"))
    reply_html = models.TextField(_("reply"))
    department = models.CharField(_("answered by"), max_length=100, blank=True)
    received_at_public = models.DateTimeField(_("received"))
    replied_at = models.DateTimeField(_("replied"))

    content_panels = [*Page.content_panels, FieldPanel("question"), FieldPanel("reply_html")]
    search_fields = [*Page.search_fields, index.SearchField("question"), *OfficialRecord.official_search_fields]
    parent_page_types = ["public_consultation.InteractionIndexPage"]
    subpage_types = []
    is_creatable = False
    content_type_label = _("Questions and answers")
    search_kind = "qa"  # search.models.Kind

    class Meta:
        verbose_name = _("published reply")
        verbose_name_plural = _("published replies")


class DraftIndexPage(CachedPageMixin, Page):
    """意见征集: drafts open for comment and the results of closed ones."""

    introduction = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["public_consultation.DraftPage"]

    class Meta:
        verbose_name = _("consultation index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        drafts = DraftPage.objects.live().child_of(self).order_by("-opens_on")
        today = timezone.localdate()
        context["open_drafts"] = [d for d in drafts if d.is_open(today)]
        context["other_drafts"] = [d for d in drafts if not d.is_open(today)]
        return context


class DraftPage(OfficialRecord, Page):
    """A draft open for comment between two dates. Not cached: whether it is open depends on the day."""

    summary = models.TextField(_("summary"), blank=True)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("closing date"))
    sections = models.JSONField(_("sections"), default=list)
    feedback_summary_html = models.TextField(_("summary of the feedback"), blank=True)
    adopted_html = models.TextField(_("adopted changes"), blank=True)
    comment_count = models.PositiveIntegerField(_("comments received"), null=True, blank=True)
    summary_published_at = models.DateTimeField(_("summary published"), null=True, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("opens_on"), FieldPanel("closes_on")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), *OfficialRecord.official_search_fields]
    parent_page_types = ["public_consultation.DraftIndexPage"]
    subpage_types = []
    is_creatable = False
    content_type_label = _("Draft for comment")

    class Meta:
        verbose_name = _("draft for comment")
        verbose_name_plural = _("drafts for comment")

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def has_closed(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.closes_on

    def section_choices(self) -> list[tuple[str, str]]:
        return [(s["key"], s["heading"] or s["key"]) for s in self.sections]
