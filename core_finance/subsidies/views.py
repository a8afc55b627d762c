"""Subsidy screens (Wagtail admin): batches and their workflow. Every action is a service call."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.uploads import validate_upload
from core_finance.subsidies.models import Batch, BatchStatus, Programme
from core_finance.subsidies.services import bankfile, batches, publication
from core_finance.views.common import attempt, download, post_only, row_errors, scoped_form, scoped_get


def needs(*perms):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not all(request.user.has_perm(f"finance_subsidies.{p}") for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, template, title, context=None):
    ctx = {"page_title": title, "header_icon": "group"}
    ctx.update(context or {})
    return render(request, f"finance_subsidies/{template}", ctx)


class BatchForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.filter(is_active=True), label=gettext_lazy("programme"))
    period = forms.CharField(label=gettext_lazy("period (YYYY, YYYY-H1/H2 or YYYY-MM)"), max_length=7)


class ResultForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("bank result file (CSV)"))


@needs("add_batch")
def batch_new(request):
    form = scoped_form(BatchForm(request.POST or None), request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        failed, batch = attempt(request, lambda: batches.create(d["programme"], d["period"], request.user),
                                _("The batch is prepared."), reverse("finance_subsidies:batch_new"))
        if not failed:
            return redirect("finance_subsidies:batch", batch.pk)
    return render(request, "finance_payroll/form.html", {"page_title": _("New payment batch"), "form": form,
                                                         "label": _("Prepare the batch")})


@needs("view_batch")
def batch_detail(request, pk: int):
    batch = scoped_get(request, Batch.objects.select_related("programme__indicator", "application", "created_by"),
                       pk=pk)
    user = request.user
    return page(request, "batch_detail.html", str(batch), {
        "batch": batch, "lines": batch.lines.select_related("household").order_by("household__village", "pk"),
        "can_submit": batch.status == BatchStatus.DRAFT and user.has_perm("finance_subsidies.add_batch"),
        "can_decide": batch.status in (BatchStatus.DRAFT, BatchStatus.SUBMITTED)
        and user.has_perm("finance_subsidies.approve_batch") and user.pk != batch.created_by_id,
        "can_publish": batch.status == BatchStatus.APPROVED and not batch.published_ref
        and user.has_perm("finance_subsidies.publish_batch"),
        "result_form": ResultForm() if batch.status == BatchStatus.APPROVED and user.has_perm(
            "finance_subsidies.add_batch") else None,
        "row_errors": row_errors(request)})


@post_only
@needs("view_batch")
def batch_act(request, pk: int, action: str):
    batch = scoped_get(request, Batch, pk=pk)
    back = reverse("finance_subsidies:batch", args=[pk])
    user = request.user
    actions = {
        "submit": (lambda: batches.submit(batch, user), _("Submitted; the total is reserved on the indicator.")),
        "approve": (lambda: batches.approve(batch, user), _("Approved; the voucher is issued.")),
        "reject": (lambda: batches.reject(batch, user, request.POST.get("comment", "")),
                   _("Returned; the reserved amount is released.")),
        "publish": (lambda: publication.publish(batch, user),
                    _("The masked beneficiary list is queued for the portal.")),
    }
    if action == "result":
        form = ResultForm(request.POST, request.FILES)
        if not form.is_valid():
            return redirect(back)
        try:
            validate_upload(form.cleaned_data["file"], allowed={"text/csv", "text/plain"}, max_bytes=bankfile.MAX_BYTES)
        except ValidationError as exc:
            from django.contrib import messages

            messages.error(request, "；".join(exc.messages))
            return redirect(back)
        data = form.cleaned_data["file"].read()
        actions["result"] = (lambda: bankfile.import_result(batch, data, user), _("Bank result imported."))
    if action not in actions:
        raise Http404
    failed, _r = attempt(request, actions[action][0], actions[action][1], back)
    return failed or redirect(back)


@needs("view_batch")
def batch_file(request, pk: int):
    batch = scoped_get(request, Batch, pk=pk)
    back = reverse("finance_subsidies:batch", args=[pk])
    failed, result = attempt(request, lambda: bankfile.payout_file(batch, request.user), _("Bank file exported."),
                             back)
    return failed or download(result[1], result[0], "text/csv; charset=utf-8")


def urls():
    return [
        path("batches/new/", batch_new, name="batch_new"),
        path("batches/<int:pk>/", batch_detail, name="batch"),
        path("batches/<int:pk>/bank-file/", batch_file, name="batch_file"),
        path("batches/<int:pk>/<str:action>/", batch_act, name="batch_act"),
    ]
