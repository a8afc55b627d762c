from django.shortcuts import render

from common.audit.models import AuditEvent


def home(request):
    recent = AuditEvent.objects.filter(actor_id=request.user.pk).order_by("-seq")[:10]
    return render(request, "workbench/home.html", {"recent_events": recent})
