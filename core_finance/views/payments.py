"""Payment applications: create with a live balance check, approve or reject, vouchers, refunds."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.uploads import validate_upload
from core_finance.forms import PaymentForm, RefundForm, ReviewForm
from core_finance.models import PaymentApplication, PaymentStatus
from core_finance.services import payments
from core_finance.views.common import attempt, needs, page, post_only, scoped_form, scoped_get

ATTACHMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@needs("add_paymentapplication")
def create(request):
    initial = {"month": timezone.localdate().month, "indicator": request.GET.get("indicator")}
    form = scoped_form(PaymentForm(request.POST or None, request.FILES or None, initial=initial), request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        attachment = d.pop("attachment")
        if attachment:
            try:
                validate_upload(attachment, allowed=ATTACHMENT_TYPES, max_bytes=10 * 1024 * 1024)
            except ValidationError as exc:
                form.add_error("attachment", exc)
                return page(request, "payment_form.html", _("New payment application"), {"form": form})
        failed, app = attempt(request, lambda: payments.create_application(
            user=request.user, attachment=attachment, **d), _("Submitted; the amount is reserved."),
            reverse("core_finance:payment_new"))
        if failed:
            # Keep what the clerk typed: show the form again with the refusal above it.
            return page(request, "payment_form.html", _("New payment application"), {"form": form}, 200)
        return redirect("core_finance:payment_detail", app.pk)
    return page(request, "payment_form.html", _("New payment application"), {"form": form})


@needs("view_paymentapplication")
def detail(request, pk: int):
    app = scoped_get(request, PaymentApplication.objects.select_related(
        "indicator", "agency", "payment_type", "created_by", "decided_by", "functional", "dept_econ"), pk=pk)
    user = request.user
    can_decide = (app.status == PaymentStatus.RESERVED and user.has_perm("core_finance.approve_paymentapplication")
                  and app.created_by_id != user.pk)
    return page(request, "payment_detail.html", f"{_('payment application')} {app.number}", {
        "app": app, "voucher": getattr(app, "voucher", None), "hits": app.monitor_hits.select_related("rule"),
        "refunds": app.refunds.all(), "can_decide": can_decide, "review_form": ReviewForm(),
        "refund_form": RefundForm() if app.status == PaymentStatus.PAID and user.has_perm(
            "core_finance.refund_paymentapplication") else None,
        "own": app.created_by_id == user.pk,
    })


@post_only
@needs("approve_paymentapplication")
def decide(request, pk: int):
    app = scoped_get(request, PaymentApplication, pk=pk)
    back = reverse("core_finance:payment_detail", args=[pk])
    if request.POST.get("decision") == "approve":
        failed, _v = attempt(request, lambda: payments.approve(app, request.user),
                             _("Approved; the voucher is issued."), back)
    else:
        failed, _v = attempt(request, lambda: payments.reject(app, request.user, request.POST.get("comment", "")),
                             _("Rejected; the amount is released."), back)
    return failed or redirect(back)


@post_only
@needs("refund_paymentapplication")
def refund(request, pk: int):
    app = scoped_get(request, PaymentApplication, pk=pk)
    back = reverse("core_finance:payment_detail", args=[pk])
    form = RefundForm(request.POST)
    if form.is_valid():
        failed, _r = attempt(request, lambda: payments.refund(app, form.cleaned_data["amount"], request.user,
                                                              reason=form.cleaned_data["reason"]),
                             _("Refund registered."), back)
        return failed or redirect(back)
    return redirect(back)
