"""The publishing desk: what staff write for the public portal, and its two-step review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

KINDS = [
    ("policy", _("Policy document")), ("interpretation", _("Policy interpretation")), ("news", _("News")),
    ("notice", _("Notice")), ("tender", _("Tender notice")), ("award", _("Award notice")),
    ("dataset", _("Budget disclosure dataset")), ("draft", _("Draft for comment")),
]
DRAFT, SUBMITTED, REVIEWED, PUBLISHED, REJECTED, WITHDRAWN = (
    "draft", "submitted", "reviewed", "published", "rejected", "withdrawn")
STATUSES = [
    (DRAFT, _("Draft")), (SUBMITTED, _("Awaiting review")), (REVIEWED, _("Awaiting approval")),
    (PUBLISHED, _("Approved and sent to the portal")), (REJECTED, _("Returned to the author")),
    (WITHDRAWN, _("Withdrawn from the portal")),
]
DISCLOSURE = [("public", _("Public (主动公开)")), ("not_public", _("Not for publication"))]
VALIDITY = [("valid", _("In force")), ("amended", _("Amended")), ("repealed", _("Repealed"))]
DATASET_KINDS = [("budget", _("Budget")), ("final_accounts", _("Final accounts")), ("other", _("Other"))]


class Publication(ClusterableModel):
    document_id = models.CharField(_("record id"), max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS, default="policy")
    title = models.CharField(_("title"), max_length=500)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200, default="市财政局")
    document_type = models.CharField(_("document type"), max_length=50, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    written_on = models.DateField(_("date written"), null=True, blank=True)
    validity = models.CharField(_("validity"), max_length=10, choices=VALIDITY, default="valid")
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("replaces"), limit_choices_to={"kind": "policy"})
    interprets = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("interprets"), limit_choices_to={"kind": "policy"})
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("text"), blank=True,
                         features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"])
    disclosure = models.CharField(_("disclosure"), max_length=20, choices=DISCLOSURE, default="public")
    # Drafts for comment.
    opens_on = models.DateField(_("open for comment from"), null=True, blank=True)
    closes_on = models.DateField(_("closing date for comments"), null=True, blank=True)
    # Disclosure datasets: an .xlsx whose first row holds the column names.
    dataset_kind = models.CharField(_("dataset kind"), max_length=20, choices=DATASET_KINDS, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="万元")
    dataset = models.JSONField(_("dataset"), default=dict, blank=True, editable=False)
    chart_type = models.CharField(_("chart"), max_length=10, blank=True, default="bar",
                                  choices=[("bar", _("Bar chart")), ("pie", _("Pie chart")), ("line", _("Line chart"))])
    # Workflow.
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default=DRAFT, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"), editable=False, null=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                 blank=True, editable=False, verbose_name=_("reviewer"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                 blank=True, editable=False, verbose_name=_("approver"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    last_note = models.TextField(_("last review note"), blank=True, editable=False)
    # After a consultation closes.
    feedback_summary = RichTextField(_("summary of the feedback"), blank=True, features=["bold", "ol", "ul"])
    adopted_changes = RichTextField(_("adopted changes"), blank=True, features=["bold", "ol", "ul"])
    summary_sent_at = models.DateTimeField(_("summary sent"), null=True, blank=True, editable=False)

    panels = [
        MultiFieldPanel([FieldPanel("kind"), FieldPanel("title"), FieldRowPanel([FieldPanel("doc_number"),
                         FieldPanel("issuer")]), FieldRowPanel([FieldPanel("document_type"), FieldPanel("topic")]),
                         FieldRowPanel([FieldPanel("written_on"), FieldPanel("validity")]),
                         FieldPanel("supersedes"), FieldPanel("interprets"), FieldPanel("disclosure")],
                        heading=_("Document")),
        FieldPanel("summary"), FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
        MultiFieldPanel([FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")])],
                        heading=_("Draft for comment")),
        MultiFieldPanel([FieldRowPanel([FieldPanel("dataset_kind"), FieldPanel("fiscal_year"), FieldPanel("unit"),
                                        FieldPanel("chart_type")])], heading=_("Disclosure dataset")),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        permissions = [("review_publication", _("Can review publications (first step)")),
                       ("approve_publication", _("Can approve publications for the portal (second step)"))]

    def __str__(self):
        return f"{self.doc_number} {self.title}".strip()

    @property
    def editable(self) -> bool:
        return self.status in (DRAFT, REJECTED)


class PublicationAttachment(Orderable):
    publication = ParentalKey(Publication, related_name="attachments", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=255)
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("file"))

    panels = [FieldPanel("title"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")


class PublicationEvent(models.Model):
    """The history shown on a publication (the audit log holds the authoritative record)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.publication_id} {self.action}"
