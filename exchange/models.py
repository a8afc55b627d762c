"""State of the exchange on one side. The same models serve both deployments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from exchange.channels import CHANNELS
from exchange.manifest import ZERO_HASH

CHANNEL_CHOICES = [(name, name) for name in CHANNELS]


class ChannelState(models.Model):
    """One row per channel; locked (``select_for_update``) while exporting to or applying from it."""

    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES, unique=True)
    # Sending side.
    signing_fingerprint = models.CharField(_("signing key"), max_length=40, blank=True)
    last_sent_seq = models.BigIntegerField(_("last sent sequence"), default=0)
    last_sent_manifest_sha256 = models.CharField(max_length=64, default=ZERO_HASH)
    last_export_at = models.DateTimeField(_("last export"), null=True, blank=True)
    # Receiving side: the high-water mark advances in the same transaction as the apply.
    last_applied_seq = models.BigIntegerField(_("last applied sequence"), default=0)
    last_applied_manifest_sha256 = models.CharField(max_length=64, default=ZERO_HASH)
    last_applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)
    highest_seen_seq = models.BigIntegerField(_("highest sequence seen"), default=0)
    last_received_at = models.DateTimeField(_("last received"), null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel state")
        verbose_name_plural = _("channel states")
        permissions = [("operate_exchange", _("Can operate the document exchange"))]

    def __str__(self):
        return self.channel


class LocalKey(models.Model):
    """This side's own signing keys (the secret parts live only in the GnuPG home)."""

    fingerprint = models.CharField(_("fingerprint"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("own key")
        verbose_name_plural = _("own keys")

    def __str__(self):
        return self.fingerprint


class TrustedKey(models.Model):
    """A fingerprint pinned for an inbound channel, valid for a range of sequence numbers."""

    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    fingerprint = models.CharField(_("fingerprint"), max_length=40)
    label = models.CharField(_("label"), max_length=200, blank=True)
    valid_from_seq = models.BigIntegerField(_("valid from sequence"), default=1)
    valid_until_seq = models.BigIntegerField(_("valid until sequence"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, default="trust")  # trust | rotation
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "fingerprint"], name="exchange_trusted_key_once")]
        ordering = ["channel", "valid_from_seq"]
        verbose_name = _("trusted key")
        verbose_name_plural = _("trusted keys")

    def __str__(self):
        return f"{self.channel}: {self.fingerprint}"

    def covers(self, seq: int) -> bool:
        return self.valid_from_seq <= seq and (self.valid_until_seq is None or seq <= self.valid_until_seq)


class OutboundItem(models.Model):
    """A message queued for a channel; packed into a package by ``export``."""

    PENDING, PACKED, REFUSED = "pending", "packed", "refused"
    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES, db_index=True)
    message_type = models.CharField(_("message type"), max_length=100)
    version = models.PositiveIntegerField(_("schema version"))
    classification = models.CharField(_("classification"), max_length=20)
    ref = models.CharField(_("reference"), max_length=200, blank=True)
    body = models.JSONField(_("body"))
    attachments = models.JSONField(default=list, blank=True)  # [{"name", "media_type", "spool", "size"}]
    status = models.CharField(_("status"), max_length=10, default=PENDING, db_index=True)
    refused_reason = models.TextField(_("refusal reason"), blank=True)
    package = models.ForeignKey("OutboundPackage", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="items")
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self):
        return f"{self.channel} {self.message_type} v{self.version} #{self.pk}"


class OutboundPackage(models.Model):
    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    seq = models.BigIntegerField(_("sequence"))
    uuid = models.UUIDField(_("package id"), unique=True)
    file_name = models.CharField(_("file name"), max_length=120)
    manifest_sha256 = models.CharField(max_length=64)
    package_sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(_("size"))
    item_count = models.PositiveIntegerField(_("items"))
    signer = models.CharField(_("signed by"), max_length=40)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    written_at = models.DateTimeField(_("written to the ferry"), null=True, blank=True)
    write_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "seq"], name="exchange_outbound_seq_once")]
        ordering = ["channel", "seq"]
        verbose_name = _("outbound package")
        verbose_name_plural = _("outbound packages")

    def __str__(self):
        return self.file_name


class InboxPackage(models.Model):
    """A verified package: held until its turn, then applied."""

    HELD, APPLIED = "held", "applied"
    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    seq = models.BigIntegerField(_("sequence"))
    uuid = models.UUIDField(_("package id"))
    file_name = models.CharField(_("file name"), max_length=120)
    manifest_sha256 = models.CharField(max_length=64)
    package_sha256 = models.CharField(max_length=64)
    signer = models.CharField(_("signed by"), max_length=40)
    state = models.CharField(_("state"), max_length=10, default=HELD)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    created_at = models.DateTimeField(_("created by the sender"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    applied_at = models.DateTimeField(pgettext_lazy("time", "applied"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "seq"], name="exchange_inbox_seq_once")]
        ordering = ["channel", "seq"]
        verbose_name = _("received package")
        verbose_name_plural = _("received packages")

    def __str__(self):
        return self.file_name


class Receipt(models.Model):
    """Every ferry file this side has read, and what became of it (also: duplicates)."""

    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()
    package_sha256 = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12)  # held | applied | duplicate | quarantined
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True)
    uuid = models.CharField(max_length=36, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "file_name", "size", "mtime_ns"])]
        ordering = ["-received_at", "-id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return f"{self.file_name}: {self.outcome}"


class Quarantine(models.Model):
    """A rejected package, set aside with the reason; nothing of it was applied."""

    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    file_name = models.CharField(_("file name"), max_length=255)
    claimed_seq = models.BigIntegerField(_("sequence (from the file name)"), null=True, blank=True)
    uuid = models.CharField(_("package id"), max_length=36, blank=True)
    code = models.CharField(_("reason code"), max_length=30)
    reason = models.TextField(_("reason"))
    signer = models.CharField(_("signed by"), max_length=40, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    stored_path = models.CharField(_("kept at"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("quarantined"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quarantined package")
        verbose_name_plural = _("quarantined packages")

    def __str__(self):
        return f"{self.file_name}: {self.code}"


class ReceivedRecord(models.Model):
    """What the built-in handlers keep of a received message until an app registers its own.

    Each item of each package is stored at most once (unique package id + item index).
    """

    channel = models.CharField(_("channel"), max_length=30, choices=CHANNEL_CHOICES)
    message_type = models.CharField(_("message type"), max_length=100, db_index=True)
    version = models.PositiveIntegerField(_("schema version"))
    key = models.CharField(_("key"), max_length=100, blank=True, db_index=True)
    package_uuid = models.UUIDField(_("package id"))
    seq = models.BigIntegerField(_("sequence"))
    item_index = models.PositiveIntegerField()
    classification = models.CharField(_("classification"), max_length=20)
    payload = models.JSONField(_("content"))
    attachments = models.JSONField(default=list, blank=True)
    untrusted = models.BooleanField(_("untrusted submission"), default=False)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package_uuid", "item_index"], name="exchange_record_once")]
        ordering = ["-id"]
        verbose_name = _("received message")
        verbose_name_plural = _("received messages")

    def __str__(self):
        return f"{self.message_type} {self.key}"


class ExchangeRun(models.Model):
    """Progress of an export, import or re-export, for the operator screens."""

    kind = models.CharField(_("kind"), max_length=10)  # export | import | resend
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    state = models.CharField(_("state"), max_length=10, default="running")  # queued | running | done | failed
    total = models.PositiveIntegerField(pgettext_lazy("count", "total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("exchange run")
        verbose_name_plural = _("exchange runs")

    def __str__(self):
        return f"{self.kind} {self.channel} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(100 * self.done / self.total))
