"""Questions, comments and error reports from the public, handled by the bureau.

Everything here came from the internet side: it stays untrusted (shown escaped, never as HTML).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KINDS = [("question", _("Question")), ("comment", _("Comment on a draft")), ("error_report", _("Error report")),
         ("feedback", _("Page feedback"))]
NEW, ASSIGNED, ANSWERED, REPLIED, CLOSED, REJECTED = "new", "assigned", "answered", "replied", "closed", "rejected"
STATUSES = [(NEW, _("New")), (ASSIGNED, _("Assigned")), (ANSWERED, _("Reply awaiting approval")),
            (REPLIED, _("Replied")), (CLOSED, _("Closed")), (REJECTED, _("Not accepted"))]
# Working days to answer: error reports and page feedback within three (the portal promises it).
ANSWER_DAYS = {"error_report": 3, "feedback": 3, "question": 10, "comment": 10}


def add_working_days(start: datetime, days: int) -> datetime:
    """Saturdays and Sundays do not count (public holidays are not modelled)."""
    current = timezone.localtime(start)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current.replace(hour=23, minute=59, second=59, microsecond=0)


class Case(models.Model):
    tracking_no = models.CharField(_("tracking number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    topic = models.CharField(_("topic"), max_length=50, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    contact_name = models.CharField(pgettext_lazy("person", "name"), max_length=100, blank=True)
    contact_email = models.CharField(_("e-mail"), max_length=254, blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=30, blank=True)
    wants_public = models.BooleanField(_("asker agrees to publication"), default=False)
    regarding = models.CharField(_("regarding record"), max_length=64, blank=True, db_index=True)
    section = models.CharField(_("section"), max_length=100, blank=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default=NEW, db_index=True)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("department"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    reply_author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("reply written by"))
    reply_approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("reply approved by"))
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    published = models.BooleanField(_("reply published"), default=False)
    note = models.TextField(_("internal note"), blank=True)
    package_uuid = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("public submission")
        verbose_name_plural = _("public submissions")
        permissions = [("assign_case", _("Can assign public submissions to departments")),
                       ("approve_reply", _("Can approve replies to the public"))]

    def __str__(self):
        return f"{self.tracking_no} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (NEW, ASSIGNED, ANSWERED)

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.due_at and timezone.now() > self.due_at)

    def working_days_left(self) -> int | None:
        if not (self.is_open and self.due_at):
            return None
        today, due = timezone.localdate(), timezone.localtime(self.due_at).date()
        if due < today:
            return -sum(1 for n in range((today - due).days) if (due + timedelta(days=n + 1)).weekday() < 5)
        return sum(1 for n in range((due - today).days) if (today + timedelta(days=n + 1)).weekday() < 5)
