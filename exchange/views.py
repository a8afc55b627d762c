"""Operator screens in the Wagtail admin (staff with ``exchange.operate_exchange`` only)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from exchange import conf, tasks
from exchange.forms import ResendForm
from exchange.models import ExchangeRun, LocalKey, Quarantine, ReceivedRecord
from exchange.services import runs
from exchange.services.status import status

log = logging.getLogger(__name__)
PERMISSION = "exchange.operate_exchange"


def _check(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


class OperatorMixin:
    def dispatch(self, request, *args, **kwargs):
        _check(request)
        return super().dispatch(request, *args, **kwargs)


class StatusView(OperatorMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "exchange/admin/status.html"
    page_title = _("Exchange")
    header_icon = "resubmit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = status()
        recent = list(ExchangeRun.objects.all()[:10])
        context.update(
            status=data,
            outbound=[c for c in data["channels"].values() if c["direction"] == "out"],
            inbound=[c for c in data["channels"].values() if c["direction"] == "in"],
            own_keys=LocalKey.objects.all()[:5],
            runs=recent,
            running=any(r.state in ("queued", "running") for r in recent),
            resend_form=ResendForm(initial={"channel": conf.primary_outbound()}),
            quarantine=Quarantine.objects.filter(resolved_at__isnull=True)[:10],
        )
        return context


@require_POST
def resend(request):
    _check(request)
    form = ResendForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("exchange_admin:status")
    data = form.cleaned_data
    run = runs.start("resend", data["channel"], {"from": data["first"], "to": data["last"]},
                     request.user.get_username(), state="queued")

    def dispatch():
        try:
            tasks.resend_task.apply_async((run.pk,), retry=False)
        except Exception:  # no broker reachable: do it now rather than not at all
            log.warning("exchange: no Celery broker; re-exporting in the web process", exc_info=True)
            tasks.resend_task(run.pk)

    transaction.on_commit(dispatch)
    messages.success(request, _("Re-export of %(channel)s #%(first)s–#%(last)s has been started.") % data)
    return redirect("exchange_admin:status")


class OperatorReport(OperatorMixin, ReportView):
    header_icon = "resubmit"

    def get_breadcrumbs_items(self):
        from django.urls import reverse

        return [*self.breadcrumbs_items, {"url": reverse("exchange_admin:status"), "label": _("Exchange")},
                {"url": "", "label": self.page_title}]


class QuarantineView(OperatorReport):
    page_title = _("Quarantine")
    index_url_name = "exchange_admin:quarantine"
    index_results_url_name = "exchange_admin:quarantine_results"
    columns = [
        DateColumn("created_at", label=_("Quarantined")),
        Column("channel", label=_("Channel")),
        Column("claimed_seq", label=_("Sequence")),
        Column("code", label=_("Reason code")),
        Column("reason", label=_("Reason")),
        Column("file_name", label=_("File")),
        Column("signer", label=_("Signed by")),
        BooleanColumn("is_resolved", label=_("Resolved")),
    ]
    list_export = ["created_at", "channel", "claimed_seq", "uuid", "code", "reason", "file_name", "signer",
                   "package_sha256", "manifest_sha256", "stored_path", "resolved_at"]

    def get_queryset(self):
        from django.db.models import BooleanField, Case, Value, When

        return Quarantine.objects.annotate(is_resolved=Case(
            When(resolved_at__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField()))


class ReceivedView(OperatorReport):
    page_title = _("Received messages")
    index_url_name = "exchange_admin:received"
    index_results_url_name = "exchange_admin:received_results"
    columns = [
        DateColumn("received_at", label=_("Received")),
        Column("channel", label=_("Channel")),
        Column("seq", label=_("Sequence")),
        Column("message_type", label=_("Message type")),
        Column("key", label=_("Key")),
        Column("classification", label=_("Classification")),
        BooleanColumn("untrusted", label=_("Untrusted")),
        BooleanColumn("withdrawn", label=_("Withdrawn")),
    ]
    list_export = ["received_at", "channel", "seq", "package_uuid", "item_index", "message_type", "version", "key",
                   "classification", "untrusted", "withdrawn"]

    def get_queryset(self):
        return ReceivedRecord.objects.all()
