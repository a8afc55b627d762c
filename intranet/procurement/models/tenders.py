"""Procurement plans, tenders, lots, documents, amendments, clarifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intranet.procurement import clock


def procurement_root():
    return settings.JINCAI_SIDE_DIR / "procurement"


def private_storage() -> FileSystemStorage:
    """Outside MEDIA_ROOT: tender documents, qualification files, opened bids."""
    return FileSystemStorage(location=procurement_root() / "files", base_url=None)


class Method(models.TextChoices):
    OPEN = "open", _("Open tendering (公开招标)")
    INVITED = "invited", _("Invited tendering (邀请招标)")
    NEGOTIATION = "competitive_negotiation", _("Competitive negotiation (竞争性谈判)")
    CONSULTATION = "competitive_consultation", _("Competitive consultation (竞争性磋商)")
    INQUIRY = "inquiry", _("Request for quotations (询价)")
    SINGLE_SOURCE = "single_source", _("Single-source procurement (单一来源)")


class ProcurementPlan(models.Model):
    """A planned purchase of a budget agency, drawing on one of its issued budget indicators.

    Plans recorded before indicators were linked keep their free-text indicator code and status
    ``legacy``; new plans name an indicator of the same agency and year and need approval, at
    which point their budget must fit the indicator's available balance.
    """

    DRAFT, APPROVED, LEGACY = "draft", "approved", "legacy"
    STATUSES = [(DRAFT, pgettext_lazy("procurement plan", "Awaiting approval")), (APPROVED, _("Approved")),
                (LEGACY, _("Recorded before indicators were linked"))]

    year = models.PositiveSmallIntegerField(_("fiscal year"))
    title = models.CharField(_("title"), max_length=300)
    agency = models.ForeignKey("core_finance.Agency", null=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("purchasing agency"))
    indicator = models.ForeignKey("core_finance.Indicator", null=True, on_delete=models.PROTECT,
                                  related_name="procurement_plans", verbose_name=_("budget indicator"))
    department = models.CharField(_("purchasing unit"), max_length=200, blank=True)
    budget_amount = models.DecimalField(_("budget amount (yuan)"), max_digits=17, decimal_places=2)
    indicator_code = models.CharField(_("budget indicator code (legacy)"), max_length=64, blank=True)
    method = models.CharField(_("planned method"), max_length=30, choices=Method.choices, default=Method.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("plan status"), max_length=10, choices=STATUSES, default=DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("procurement plan")
        verbose_name_plural = _("procurement plans")

    def __str__(self):
        return f"{self.year} {self.title}"

    def save(self, *args, **kwargs):
        if self.agency_id and not self.department:
            self.department = self.agency.name[:200]
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.budget_amount is not None and self.budget_amount <= 0:
            errors["budget_amount"] = _("The budget must be more than zero.")
        if self.status != self.LEGACY:
            if self.agency_id is None:
                errors["agency"] = _("Choose the purchasing agency.")
            if self.indicator_id is None:
                errors["indicator"] = _("Choose the budget indicator the purchase draws on.")
            elif self.agency_id and (self.indicator.agency_id != self.agency_id or self.indicator.year != self.year):
                errors["indicator"] = _("The indicator must belong to the purchasing agency and the plan's fiscal "
                                        "year.")
        if self.pk and self.status == self.APPROVED:
            stored = type(self).objects.filter(pk=self.pk).values("budget_amount", "indicator_id", "year",
                                                                   "agency_id").first()
            if stored and stored != {"budget_amount": self.budget_amount, "indicator_id": self.indicator_id,
                                     "year": self.year, "agency_id": self.agency_id}:
                errors["budget_amount"] = _("An approved plan's budget, indicator, agency and year cannot change.")
        if errors:
            raise ValidationError(errors)


class Tender(models.Model):
    DRAFT, PUBLISHED, OPENED, AWARDED, CANCELLED = "draft", "published", "opened", "awarded", "cancelled"
    STATUSES = [(DRAFT, _("Draft")), (PUBLISHED, _("Published")), (OPENED, _("Bids opened")),
                (AWARDED, _("Awarded")), (CANCELLED, _("Cancelled"))]

    plan = models.ForeignKey(ProcurementPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="tenders",
                             verbose_name=_("procurement plan"))
    tender_id = models.CharField(max_length=64, unique=True, editable=False)
    reference = models.CharField(_("project number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=500)
    method = models.CharField(_("procurement method"), max_length=30, choices=Method.choices)
    buyer = models.CharField(_("buyer"), max_length=200)
    agency = models.CharField(_("procurement agency"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=17, decimal_places=2)
    bid_security = models.DecimalField(_("bid security (yuan)"), max_digits=17, decimal_places=2, default=0)
    clarification_deadline = models.DateTimeField(_("questions until"))
    bid_deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("bid opening"))
    opening_place = models.CharField(_("opening place"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    key_fingerprint = models.CharField(max_length=40, blank=True)
    public_key = models.TextField(blank=True)
    sealed_passphrase = models.TextField(blank=True)  # OpenPGP-encrypted with the procurement vault key
    evaluators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="evaluations",
                                        verbose_name=_("evaluators"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        permissions = [
            ("manage_tenders", _("Can prepare and publish tenders")),
            ("open_bids", _("Can open bids (开标)")),
            ("evaluate_bids", _("Can evaluate bids")),
            ("review_suppliers", _("Can review supplier registrations")),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        if not self.tender_id:
            self.tender_id = f"T{uuid.uuid4().hex[:15].upper()}"
        super().save(*args, **kwargs)

    def deadline_passed(self, at=None) -> bool:
        return (at or clock.now()) >= self.bid_deadline


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    title = models.CharField(_("title"), max_length=300)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=17, decimal_places=2)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="procurement_unique_lot")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Amendment(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"))
    affects_bids = models.BooleanField(_("affects the preparation of bids"), default=True)
    new_bid_deadline = models.DateTimeField(null=True, blank=True)
    new_opening_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def amendment_id(self) -> str:
        return f"{self.tender.tender_id}-A{self.number}"


class TenderDocument(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), storage=private_storage, upload_to="tender-documents/%Y/", max_length=300)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Criterion(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name} ({self.max_score})"


class ClarificationQuestion(models.Model):
    """A question from the extranet. Untrusted text; the asker's identity never comes here."""


    question_id = models.CharField(max_length=32, unique=True)
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    asked_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    answer = models.ForeignKey("ClarificationAnswer", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="questions")

    class Meta:
        ordering = ["asked_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class ClarificationAnswer(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="answers")
    question = models.TextField(_("question (as published)"))
    answer = models.TextField(_("answer"))
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["published_at"]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class Cancellation(models.Model):
    """A request to end a tender (终止 or 废标); it takes effect when another manager approves it."""

    TERMINATED, FAILED = "terminated", "failed"
    KINDS = [(TERMINATED, _("Terminate the procurement (终止)")), (FAILED, _("Declare the tender failed (废标)"))]
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUSES = [(PENDING, pgettext_lazy("procurement plan", "Awaiting approval")), (APPROVED, _("Approved")),
                (REJECTED, _("Rejected"))]

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="cancellations")
    kind = models.CharField(_("cancellation type"), max_length=12, choices=KINDS)
    reason = models.TextField(_("reason (published in the termination notice)"))
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment on the decision"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["tender"], condition=models.Q(status="pending"),
                                               name="procurement_one_pending_cancellation")]

    def __str__(self):
        return f"{self.tender.reference} {self.get_kind_display()}"
