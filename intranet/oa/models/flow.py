"""Workflow records: history, open tasks (the inbox), countersigning, circulation, delegation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intranet.oa.models.document import Document


class DocumentEvent(models.Model):
    """One transition (or recorded action) in a document's life; never changed afterwards."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="oa_events", verbose_name=_("by"))
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="oa_events_delegated", verbose_name=_("on behalf of"))
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("document event")
        verbose_name_plural = _("document events")

    def __str__(self):
        return f"{self.document_id}: {self.transition}"


class Task(models.Model):
    """Work waiting for someone: a named user, or anyone of a department holding a permission."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(_("step"), max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="oa_tasks")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="oa_tasks")
    permission = models.CharField(max_length=40, blank=True)  # codename in app "oa"
    due = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="oa_tasks_done")
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "created_at"]
        indexes = [models.Index(fields=["done_at", "permission"])]

    def __str__(self):
        return f"{self.step} {self.document_id}"


class Countersign(models.Model):
    """会签: one row per department asked to agree; all must agree before signing."""

    PENDING, AGREED, REJECTED = "pending", "agreed", "rejected"
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="countersigns")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, default=PENDING)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    opinion = models.TextField(blank=True)
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["department__code"]
        constraints = [models.UniqueConstraint(fields=["document", "department"], name="oa_countersign_once")]

    def __str__(self):
        return f"{self.department_id}: {self.state}"


class Circulation(models.Model):
    """传阅: readers in order; the document is with the first one who has not finished."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="circulation")
    position = models.PositiveSmallIntegerField()
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}. {self.reader_id}"


class Delegation(models.Model):
    """While ``from_user`` is away, ``to_user`` may act for them (recorded as "on behalf of")."""

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oa_delegated",
                                  verbose_name=_("away"))
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oa_deputy_for",
                                verbose_name=_("deputy"))
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self):
        return f"{self.from_user} → {self.to_user}"


class Distribution(models.Model):
    """分发: where an issued document went."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="distributions")
    target = models.CharField(max_length=200)
    channel = models.CharField(max_length=20)  # paper | internal | province
    # The receiving department of an internal distribution: its staff may open the document.
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="oa_received")
    at = models.DateTimeField(auto_now_add=True)
    exchange_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.target


class ReadingReceipt(models.Model):
    """阅知: one row per person of a receiving department; ``read_at`` is the read receipt."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reading")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="receipts")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="oa_reading",
                               verbose_name=_("reader"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Who confirmed the reading: the reader, or their deputy while they are away.
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["distribution_id", "reader__username"]
        constraints = [models.UniqueConstraint(fields=["document", "reader"], name="oa_reading_once")]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")

    def __str__(self):
        return f"{self.document_id}: {self.reader_id}"
