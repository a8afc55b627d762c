"""Supplier-side procurement records on the extranet.

Tenders, amendments, clarifications, opening records and award notices are copies of what the
intranet published (read-only here). Bids are held only as OpenPGP ciphertext on disk; the
database keeps their hashes, sizes and receipts, never a price or any file content.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from extranet.procurement import clock


def private_root():
    configured = getattr(settings, "JINCAI_PROCUREMENT_ROOT", None)
    return Path(configured) if configured else settings.JINCAI_SIDE_DIR / "procurement"


def private_storage() -> FileSystemStorage:
    """Files outside MEDIA_ROOT, served only through views that check who asks."""
    return FileSystemStorage(location=private_root() / "files", base_url=None)


def new_id() -> str:
    return uuid.uuid4().hex


class Supplier(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUSES = [(PENDING, _("Awaiting review")), (APPROVED, _("Approved")), (REJECTED, _("Rejected"))]

    supplier_id = models.CharField(max_length=32, unique=True, default=new_id, editable=False)
    registration_id = models.CharField(max_length=32, unique=True, default=new_id, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supplier")
    company_name = models.CharField(_("company name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    address = models.CharField(_("address"), max_length=300)
    business_scope = models.TextField(_("business scope"), blank=True, max_length=2000)
    contacts = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    review_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self):
        return f"{self.company_name} ({self.uscc})"

    @property
    def approved(self) -> bool:
        return self.status == self.APPROVED


class QualificationFile(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(max_length=255)
    file = models.FileField(storage=private_storage, upload_to="qualifications/%Y/%m/", max_length=300)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Tender(models.Model):
    METHODS = [
        ("open", _("Open tendering")),
        ("invited", _("Invited tendering")),
        ("competitive_negotiation", _("Competitive negotiation")),
        ("competitive_consultation", _("Competitive consultation")),
        ("inquiry", _("Request for quotations")),
        ("single_source", _("Single-source procurement")),
    ]

    tender_id = models.CharField(max_length=64, unique=True)
    revision = models.PositiveIntegerField(default=1)
    reference = models.CharField(max_length=100)
    title = models.CharField(max_length=500)
    method = models.CharField(max_length=30, choices=METHODS)
    buyer = models.CharField(max_length=200)
    agency = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    budget = models.DecimalField(max_digits=17, decimal_places=2)
    bid_security = models.DecimalField(max_digits=17, decimal_places=2)
    lots = models.JSONField(default=list)
    published_at = models.DateTimeField()
    clarification_deadline = models.DateTimeField()
    bid_deadline = models.DateTimeField()
    opening_at = models.DateTimeField()
    opening_place = models.CharField(max_length=300, blank=True)
    contact = models.CharField(max_length=300, blank=True)
    max_file_bytes = models.PositiveBigIntegerField(default=0)
    key_fingerprint = models.CharField(max_length=40)
    public_key = models.TextField()
    closing_sent_at = models.DateTimeField(null=True, blank=True)
    opening_record = models.JSONField(null=True, blank=True)
    award_notice = models.JSONField(null=True, blank=True)
    ocds_record = models.JSONField(null=True, blank=True)
    cancellation = models.JSONField(null=True, blank=True)  # the termination notice (终止公告), if any

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self):
        return f"{self.reference} {self.title}"

    def accepting_bids(self, at=None) -> bool:
        return not self.cancellation and (at or clock.now()) < self.bid_deadline

    def lot_numbers(self) -> list[int]:
        return [lot["number"] for lot in self.lots]

    def status_label(self) -> str:
        if self.cancellation:
            return _("Cancelled (failed tender)") if self.cancellation.get("kind") == "failed" else _("Terminated")
        if self.award_notice:
            return _("Awarded")
        if self.opening_record:
            return _("Bids opened")
        if self.accepting_bids():
            return _("Accepting bids")
        return _("Bid deadline passed")


class Amendment(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    amendment_id = models.CharField(max_length=64, unique=True)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    description = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class TenderDocument(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="documents")
    title = models.CharField(max_length=255)
    file = models.FileField(storage=private_storage, max_length=300)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Clarification(models.Model):
    """A published clarification (答疑): the question as the bureau phrased it, never who asked."""


    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    answer_id = models.CharField(max_length=64, unique=True)
    question = models.TextField()
    answer = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["published_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Question(models.Model):
    """A supplier's own question; the asker is known only here, on the extranet."""


    question_id = models.CharField(max_length=32, unique=True, default=new_id, editable=False)
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=4000)
    asked_at = models.DateTimeField()
    answer = models.ForeignKey(Clarification, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="asked_questions")

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Participation(models.Model):
    """A supplier who obtained the tender documents: a registered bidder, notified of changes."""


    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="participants")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="participations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="one_participation")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Notification(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="notifications")
    tender = models.ForeignKey(Tender, null=True, blank=True, on_delete=models.CASCADE)
    subject = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Bid(models.Model):
    """One supplier's bid for one lot of a tender; its versions are the submissions."""


    SUBMITTED, WITHDRAWN = "submitted", "withdrawn"
    STATUSES = [(SUBMITTED, pgettext_lazy("bid status", "Submitted")), (WITHDRAWN, pgettext_lazy("bid status", "Withdrawn"))]
    OUTCOMES = [("", _("Sealed")), ("valid", _("Opened: valid")), ("invalid", _("Opened: invalid")),
                ("awarded", _("Awarded")), ("not_awarded", _("Not awarded"))]

    bid_id = models.CharField(max_length=32, unique=True, default=new_id, editable=False)
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    lot = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=SUBMITTED)
    version = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=OUTCOMES, blank=True, default="")
    anomalies = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "supplier", "lot"], name="one_bid_per_lot")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"

    def current(self):
        return self.versions.filter(version=self.version).first()


class BidVersion(models.Model):
    CURRENT, REPLACED, WITHDRAWN = "current", "replaced", "withdrawn"
    STATUSES = [(CURRENT, _("In force")), (REPLACED, _("Replaced")), (WITHDRAWN, _("Withdrawn"))]

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=CURRENT)
    submitted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    receipt = models.JSONField()
    receipt_signature = models.TextField()  # base64 of the binary OpenPGP detached signature
    store = models.CharField(max_length=300)  # directory of the ciphertext, relative to the bid store
    manifest = models.JSONField(default=dict)  # the sealed-bid message body, kept until it is queued
    forwarded_at = models.DateTimeField(null=True, blank=True)  # ciphertext parts queued for the intranet
    sealed_queued = models.BooleanField(default=False)  # the sealed-bid message queued (with the version)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["bid", "version"], name="one_bid_version")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class BidFile(models.Model):
    """A sealed file of a bid version; ``index`` 0 is the encrypted bid form with the price."""


    version = models.ForeignKey(BidVersion, on_delete=models.CASCADE, related_name="files")
    index = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)  # of the plaintext, as in the receipt
    parts = models.JSONField()  # [{"path": file name in the version's directory, "size": ciphertext bytes}]

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class OcdsRelease(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="ocds_releases")
    release_id = models.CharField(max_length=200, unique=True)
    release = models.JSONField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"
