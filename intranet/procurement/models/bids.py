"""Supplier registrations and sealed bids received from the extranet; opening, evaluation, award."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intranet.procurement.models.tenders import Lot, Tender, private_storage


class SupplierRegistration(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUSES = [(PENDING, _("Awaiting review")), (APPROVED, _("Approved")), (REJECTED, _("Rejected"))]

    registration_id = models.CharField(max_length=32, unique=True)
    supplier_id = models.CharField(max_length=32, db_index=True)
    company_name = models.CharField(_("company name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    uscc_valid = models.BooleanField(default=False)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    address = models.CharField(_("address"), max_length=300)
    business_scope = models.TextField(blank=True)
    contacts = models.JSONField(default=list)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    review_note = models.TextField(_("note to the supplier"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("supplier registration")
        verbose_name_plural = _("supplier registrations")

    def __str__(self):
        return f"{self.company_name} ({self.uscc})"

    def earlier_submissions(self):
        """The same supplier's earlier registrations (a resubmission follows a rejection)."""
        return SupplierRegistration.objects.filter(supplier_id=self.supplier_id,
                                                   submitted_at__lt=self.submitted_at).order_by("-submitted_at")


class RegistrationFile(models.Model):
    registration = models.ForeignKey(SupplierRegistration, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(max_length=255)
    file = models.FileField(storage=private_storage, max_length=300)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class IncomingBid(models.Model):
    """One version of a sealed bid as it arrived: ciphertext parts on disk, the manifest here."""


    SEALED, SUPERSEDED, WITHDRAWN, OPENED = "sealed", "superseded", "withdrawn", "opened"
    STATUSES = [(SEALED, _("Sealed")), (SUPERSEDED, _("Replaced by a later version")), (WITHDRAWN, _("Withdrawn")),
                (OPENED, _("Opened"))]

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="incoming_bids")
    bid_id = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    lot = models.PositiveSmallIntegerField()
    supplier_id = models.CharField(max_length=32)
    company_name = models.CharField(max_length=200)
    uscc = models.CharField(max_length=18)
    submitted_at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=40)
    manifest = models.JSONField()  # {"form": sealed file, "files": [sealed files]}
    receipt = models.JSONField()
    receipt_signature = models.TextField()
    signer = models.CharField(max_length=40)  # the extranet key that signed the package
    status = models.CharField(max_length=12, choices=STATUSES, default=SEALED)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tender", "lot", "company_name", "-version"]
        constraints = [models.UniqueConstraint(fields=["bid_id", "version"], name="procurement_one_bid_version")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class BidPart(models.Model):
    """One encrypted part as it arrived (file 0 is the bid form), stored under the bid's directory."""


    bid_id = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    file_index = models.PositiveSmallIntegerField()
    part_index = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # as verified by the exchange
    path = models.CharField(max_length=300)  # relative to the sealed store
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["file_index", "part_index"]
        constraints = [models.UniqueConstraint(fields=["bid_id", "version", "file_index", "part_index"],
                                               name="procurement_one_part")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class BidClosing(models.Model):
    """The extranet's list of bids in force after the deadline; opening waits for it."""


    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="closings")
    bid_deadline = models.DateTimeField()
    closed_at = models.DateTimeField()
    bids = models.JSONField()
    withdrawn = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Opening(models.Model):
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="opening")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record = models.JSONField()  # the published opening record (开标记录)

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class OpenedBid(models.Model):
    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="bids")
    incoming = models.OneToOneField(IncomingBid, on_delete=models.PROTECT, related_name="opened")
    lot = models.ForeignKey(Lot, null=True, on_delete=models.PROTECT, related_name="opened_bids")
    price = models.DecimalField(max_digits=17, decimal_places=2, null=True)
    valid = models.BooleanField(default=False)
    anomalies = models.JSONField(default=list)
    files = models.JSONField(default=list)  # [{"name", "size", "sha256", "media_type", "stored"}]

    class Meta:
        ordering = ["lot__number", "price"]

    def __str__(self):
        return self.incoming.company_name


class EvaluationSheet(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="sheets")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tender", "evaluator"], name="procurement_one_sheet")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Score(models.Model):
    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(OpenedBid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("procurement.Criterion", on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "bid", "criterion"], name="procurement_one_score")]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Award(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="awards")
    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="award")
    bid = models.OneToOneField(OpenedBid, on_delete=models.PROTECT, related_name="award")
    amount = models.DecimalField(max_digits=17, decimal_places=2)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Contract(models.Model):
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(_("contract number"), max_length=100, unique=True)
    signed_on = models.DateField(_("signed on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=17, decimal_places=2)
    period_end = models.DateField(_("ends on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class OcdsRelease(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="ocds_releases")
    release_id = models.CharField(max_length=200, unique=True)
    release = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"
