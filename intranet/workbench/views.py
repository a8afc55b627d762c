from django.shortcuts import render

from common.audit.models import AuditEvent
from intranet.website import services as website


def home(request):
    recent = AuditEvent.objects.filter(actor_id=request.user.pk).order_by("-seq")[:10]
    return render(request, "workbench/home.html", {"recent_events": recent,
                                                   "required_reading": website.unread_required(request.user),
                                                   "latest_notices": website.latest(request.user, 5)})
