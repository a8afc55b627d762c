"""Who an intranet item is for, read receipts, required reading, attachment checks."""

from __future__ import annotations

import io
from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from common.accounts.models import Department
from common.audit.services import record
from common.uploads import DOCUMENT_TYPES, SNIFF_BYTES, sniff

from .models import Notice, NoticeAttachment, ReadReceipt

FIELDS = ["kind", "title", "doc_number", "audience_all", "required_reading", "is_published"]


def department_chain(user) -> list[int]:
    """The user's department and every department above it (an item for a parent reaches its children)."""
    ids, dept = [], getattr(user, "department", None)
    while dept is not None:
        ids.append(dept.pk)
        dept = dept.parent
    return ids


def visible(user):
    """The published items addressed to ``user``; authors also see their own."""
    addressed = Q(audience_all=True) | Q(departments__in=department_chain(user))
    qs = Notice.objects.filter(Q(is_published=True) & addressed)
    if user is not None and user.pk:
        qs = Notice.objects.filter(Q(pk__in=qs.values("pk")) | Q(author_id=user.pk))
    return qs.distinct().select_related("author")


def open_item(notice: Notice, user) -> ReadReceipt | None:
    """Record that ``user`` read ``notice`` (once; the first opening is the receipt)."""
    if not notice.is_published or user is None or not user.pk:
        return None
    existing = ReadReceipt.objects.filter(notice=notice, user=user).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            receipt = ReadReceipt.objects.create(notice=notice, user=user)
            record("website.notice.read", notice, detail={"reader": user.username}, actor=user)
    except IntegrityError:  # opened twice at once: the first receipt stands
        return ReadReceipt.objects.get(notice=notice, user=user)
    return receipt


def unread_required(user):
    return visible(user).filter(required_reading=True, is_published=True).exclude(receipts__user=user).exclude(
        author_id=user.pk)


def latest(user, limit: int = 8):
    return visible(user).filter(is_published=True)[:limit]


def addressees(notice: Notice):
    """Every active staff user the item is for."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    if notice.audience_all:
        return users
    ids, frontier = set(), list(notice.departments.values_list("pk", flat=True))
    while frontier:
        ids.update(frontier)
        frontier = list(Department.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list(
            "pk", flat=True))
    return users.filter(department_id__in=ids)


def can_see_receipts(user, notice: Notice) -> bool:
    return notice.author_id == user.pk or user.has_perm("intranet_website.view_all_receipts")


def receipts(notice: Notice, user) -> list[dict]:
    """Per department: who read it and when, and who has not."""
    if not can_see_receipts(user, notice):
        raise PermissionDenied
    read = {r.user_id: r.read_at for r in notice.receipts.all()}
    groups: OrderedDict[str, dict] = OrderedDict()
    for person in addressees(notice).select_related("department").order_by("department__code", "username"):
        name = person.department.name if person.department_id else _("No department")
        group = groups.setdefault(name, {"department": name, "read": [], "unread": []})
        if person.pk in read:
            group["read"].append((person, read[person.pk]))
        else:
            group["unread"].append(person)
    for group in groups.values():
        group["total"] = len(group["read"]) + len(group["unread"])
    return list(groups.values())


def receipts_xlsx(notice: Notice, user) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Read receipts")[:31]
    sheet.append([pgettext("intranet website", "department"), pgettext("intranet website", "name"),
                  _("user name"), pgettext("intranet website", "read"), _("read at")])
    for group in receipts(notice, user):
        for person, at in group["read"]:
            sheet.append([group["department"], person.display_name or person.username, person.username, pgettext("intranet website", "yes"),
                          timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")])
        for person in group["unread"]:
            sheet.append([group["department"], person.display_name or person.username, person.username, pgettext("intranet website", "no"), ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_attachment(document) -> str:
    """Attachments are accepted by their content, not their name; returns the sniffed media type."""
    with document.file.open("rb") as handle:
        media_type = sniff(handle.read(SNIFF_BYTES))
    if media_type not in DOCUMENT_TYPES:
        raise ValidationError(_("The file “%(name)s” is of a type that is not accepted (%(type)s)."),
                              code="file_type", params={"name": document.title, "type": media_type})
    return media_type


def saved(notice: Notice, user, created: bool) -> Notice:
    """After the editor saved an item: sniff attachments, stamp publication, audit."""
    with transaction.atomic():
        for attachment in NoticeAttachment.objects.filter(notice=notice).select_related("document"):
            media_type = check_attachment(attachment.document)
            if attachment.media_type != media_type:
                attachment.media_type = media_type
                attachment.save(update_fields=["media_type"])
        if notice.is_published and notice.published_at is None:
            notice.published_at = timezone.now()
            notice.save(update_fields=["published_at"])
        action = "website.notice.create" if created else "website.notice.edit"
        record(action, notice, after={f: getattr(notice, f) for f in FIELDS}, actor=user)
    return notice
