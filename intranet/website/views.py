"""The reading side of the internal website: lists, an item (opening it is the read receipt),
attachments, and the author's read/unread lists with Excel export."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import services
from .models import Kind, Notice, NoticeAttachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def index(request):
    kind = request.GET.get("kind", "")
    items = services.visible(request.user).filter(is_published=True).prefetch_related("receipts")
    if kind in Kind.values:
        items = items.filter(kind=kind)
    read = set(services.visible(request.user).filter(receipts__user=request.user).values_list("pk", flat=True))
    return render(request, "intranet_website/index.html", {
        "items": items[:100], "kinds": Kind.choices, "kind": kind, "read": read,
        "required": services.unread_required(request.user),
        "mine": Notice.objects.filter(author=request.user).order_by("-created_at")[:20]})


def detail(request, pk: int):
    notice = get_object_or_404(services.visible(request.user), pk=pk)
    receipt = services.open_item(notice, request.user)
    return render(request, "intranet_website/detail.html", {
        "notice": notice, "receipt": receipt, "attachments": notice.attachments.select_related("document"),
        "can_see_receipts": services.can_see_receipts(request.user, notice)})


def attachment(request, pk: int, attachment_pk: int):
    notice = get_object_or_404(services.visible(request.user), pk=pk)
    item = get_object_or_404(NoticeAttachment.objects.select_related("document"), pk=attachment_pk, notice=notice)
    media_type = item.media_type or services.check_attachment(item.document)
    response = FileResponse(item.document.file.open("rb"), content_type=media_type, as_attachment=True,
                            filename=item.document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def receipts(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk)
    groups = services.receipts(notice, request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(services.receipts_xlsx(notice, request.user), content_type=XLSX)
        name = f"read-receipts-{notice.pk}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    total_read = sum(len(g["read"]) for g in groups)
    total = total_read + sum(len(g["unread"]) for g in groups)
    return render(request, "intranet_website/receipts.html", {"notice": notice, "groups": groups,
                                                               "total": total, "total_read": total_read})
