"""The official document (公文), its files and its number sequences."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from intranet.oa.elements import (
    ArchiveCategory,
    Direction,
    Disclosure,
    DocType,
    Retention,
    Secrecy,
    Urgency,
    format_number,
)

# Fields that make up the content of a document: changing any of them after signing sends the
# document back to its signer (a signature covers content, not routing).
SUBSTANTIVE_FIELDS = (
    "doc_type", "direction", "title", "main_recipients", "body", "attachment_notes", "signature_agency",
    "written_date", "note", "cc", "secrecy", "secrecy_period", "urgency", "disclosure", "issuing_agency",
)


class Document(models.Model):
    OUTGOING, INCOMING = "out", "in"
    KIND_CHOICES = [(OUTGOING, _("Outgoing (发文)")), (INCOMING, _("Incoming (收文)"))]

    kind = models.CharField(_("kind"), max_length=3, choices=KIND_CHOICES, default=OUTGOING)
    state = models.CharField(_("state"), max_length=20, db_index=True)
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocType.choices, default=DocType.NOTICE)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.DOWNWARD)
    # GB/T 9704 版头
    copy_number = models.CharField(_("copy number (份号)"), max_length=6, blank=True)
    secrecy = models.CharField(_("classification (密级)"), max_length=20, choices=Secrecy.choices, blank=True)
    secrecy_period = models.CharField(_("secrecy period (保密期限)"), max_length=10, blank=True)
    urgency = models.CharField(_("urgency (紧急程度)"), max_length=20, choices=Urgency.choices, blank=True)
    issuing_agency = models.CharField(_("issuing agency mark (发文机关标志)"), max_length=100, blank=True)
    agency_code = models.CharField(_("agency code (机关代字)"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    signer_name = models.CharField(_("signer (签发人)"), max_length=100, blank=True)
    # 主体
    title = models.CharField(_("title (标题)"), max_length=500)
    main_recipients = models.CharField(_("main recipients (主送机关)"), max_length=1000, blank=True)
    body = models.TextField(_("body (正文)"), blank=True)
    attachment_notes = models.TextField(_("attachment notes (附件说明)"), blank=True,
                                        help_text=_("One attachment title per line."))
    signature_agency = models.CharField(_("issuing agency signature (发文机关署名)"), max_length=200, blank=True)
    written_date = models.DateField(_("date of writing (成文日期)"), null=True, blank=True)
    note = models.CharField(_("note (附注)"), max_length=500, blank=True)
    # 版记
    cc = models.CharField(_("copied to (抄送机关)"), max_length=1000, blank=True)
    printing_agency = models.CharField(_("printing agency (印发机关)"), max_length=200, blank=True)
    printed_date = models.DateField(_("printing date (印发日期)"), null=True, blank=True)
    disclosure = models.CharField(_("disclosure (公开属性)"), max_length=20, choices=Disclosure.choices,
                                  default=Disclosure.NOT_PUBLIC)
    # Routing
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="oa_documents", verbose_name=_("department"))
    # Empty for documents that arrived through the exchange.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="oa_created", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="oa_signed", verbose_name=_("signed by"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    # Incoming (收文)
    source_agency = models.CharField(_("sending agency (来文机关)"), max_length=200, blank=True)
    source_number = models.CharField(_("their document number (来文字号)"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    lead_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="oa_led", verbose_name=_("lead department (承办科室)"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="oa_holding", verbose_name=_("currently with (传阅)"))
    exchange_id = models.CharField(_("exchange document id"), max_length=64, blank=True, db_index=True)
    # Rendering and archive
    pdf = models.FileField(_("issued PDF"), upload_to="oa/pdf/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    retention = models.CharField(_("retention (保管期限)"), max_length=12, choices=Retention.choices, blank=True)
    archive_category = models.CharField(_("archive category"), max_length=20, choices=ArchiveCategory.choices,
                                        blank=True)
    archive_year = models.PositiveSmallIntegerField(_("archive year"), null=True, blank=True, db_index=True)
    archive_code = models.CharField(_("archive reference (档号)"), max_length=40, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    released_at = models.DateTimeField(_("released to the portal"), null=True, blank=True)
    release_revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "year", "number"], name="oa_document_number_once",
                                    condition=models.Q(number__isnull=False)),
        ]
        permissions = [
            ("draft_document", _("Can draft official documents")),
            ("review_document", _("Can review drafts and countersign (科长)")),
            ("sign_document", _("Can sign and instruct (局领导)")),
            ("clerk_document", _("Can register, number, print and distribute (文书)")),
            ("handle_document", _("Can handle incoming documents")),
            ("archive_document", _("Can archive documents")),
            ("release_document", _("Can release documents to the public portal")),
            ("view_all_documents", _("Can see every official document")),
        ]

    def __str__(self):
        return f"{self.doc_number} {self.title}".strip() if self.doc_number else self.title

    def save(self, *args, archiving: bool = False, **kwargs):
        # Archived records are read-only; only the archive transition itself may write that state.
        if self.pk and not archiving:
            stored = Document.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == "archived":
                raise ValidationError(_("This document is archived and can no longer be changed."))
        super().save(*args, **kwargs)

    @property
    def doc_number(self) -> str:
        return format_number(self.agency_code, self.year, self.number)

    @property
    def is_archived(self) -> bool:
        return self.state == "archived"

    @property
    def is_outgoing(self) -> bool:
        return self.kind == self.OUTGOING

    def attachment_lines(self) -> list[str]:
        return [line.strip() for line in self.attachment_notes.splitlines() if line.strip()]


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="oa/files/%Y/")
    media_type = models.CharField(_("media type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class NumberSequence(models.Model):
    """The last number given per 机关代字 and year; locked while the next one is taken."""

    agency_code = models.CharField(_("agency code (机关代字)"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "year"], name="oa_sequence_once")]
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.agency_code}〔{self.year}〕{self.last}"
