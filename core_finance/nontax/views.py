"""Screens of non-tax revenue (thin: every action goes through the services). Everything is
scoped by the collecting agency's division (services/scope.py): another division's notice, refund
or batch is a 404 and lists hold none of it; the agent bank files are for home-division staff."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core_finance.nontax import collection, reports, services
from core_finance.nontax.forms import BatchForm, NoticeForm, RangeForm, ReasonForm, RefundForm, UploadForm
from core_finance.nontax.models import (
    CollectionFile,
    CollectionItem,
    NoticeStatus,
    PaymentNotice,
    Refund,
    RemittanceBatch,
    Target,
)
from core_finance.services import scope
from core_finance.services.base import today
from core_finance.views.common import XLSX, attempt, download, post_only, row_errors

APP = services.APP
MAX_DAYS = 92


def needs(codename):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(f"{APP}.{codename}"):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _back():
    return reverse("finance_nontax:overview")


def _invalid(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{' '.join(errors)}")
    return redirect(_back())


def _can(request, codename):
    return request.user.has_perm(f"{APP}.{codename}")


# The lookup from each model to the collecting agency (RemittanceBatch has its own division).
PATHS = {CollectionItem: "agency__", PaymentNotice: "item__agency__", Refund: "notice__item__agency__",
         RemittanceBatch: ""}


def scoped(model, user, queryset=None):
    return scope.for_user(queryset if queryset is not None else model.objects.all(), user, path=PATHS[model])


def _get(request, model, pk):
    return get_object_or_404(scoped(model, request.user), pk=pk)


def notice_form(user, data=None):
    form = NoticeForm(data)
    form.fields["item"].queryset = scoped(CollectionItem, user, CollectionItem.objects.filter(is_active=True))
    return form


@needs("view_paymentnotice")
def overview(request):
    user, home = request.user, scope.sees_home(request.user)
    notices = scoped(PaymentNotice, user).select_related("item", "settlement", "remittance")
    outstanding = notices.filter(status=NoticeStatus.ISSUED).aggregate(s=Sum("amount"))["s"]
    banks = sorted(set(notices.filter(status=NoticeStatus.ISSUED).values_list("bank", flat=True))) if home else []
    return render(request, "finance_nontax/overview.html", {
        "page_title": _("Non-tax revenue"), "header_icon": "table", "notices": notices[:50],
        "outstanding": outstanding, "banks": banks, "files": CollectionFile.objects.all()[:20] if home else [],
        "refunds": scoped(Refund, user).filter(status=Refund.Status.PENDING).select_related("notice", "created_by"),
        "batches": scoped(RemittanceBatch, user).select_related("special_account", "created_by")[:20],
        "notice_form": notice_form(user), "upload_form": UploadForm(), "batch_form": BatchForm(),
        "can_issue": _can(request, "add_paymentnotice"), "can_cancel": _can(request, "change_paymentnotice"),
        "can_import": home and _can(request, "add_collectionfile"), "can_refund": _can(request, "add_refund"),
        "can_approve_refund": _can(request, "approve_refund"), "can_remit": _can(request, "add_remittancebatch"),
        "can_approve_remit": _can(request, "approve_remittancebatch"), "row_errors": row_errors(request),
        "home": home,
    })


@post_only
@needs("add_paymentnotice")
def issue(request):
    form = notice_form(request.user, request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    d = form.cleaned_data
    failed, _n = attempt(request, lambda: services.issue_notice(
        d["item"], payer_name=d["payer_name"], payer_id=d["payer_id"], amount=d["amount"] or None,
        due_date=d["due_date"], bank=d["bank"], user=request.user), _("The payment notice was issued."), _back())
    return failed or redirect(_back())


@post_only
@needs("change_paymentnotice")
def cancel(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    notice = _get(request, PaymentNotice, pk)
    failed, _n = attempt(request, lambda: services.cancel_notice(notice, request.user, form.cleaned_data["reason"]),
                         _("The notice was cancelled."), _back())
    return failed or redirect(_back())


@post_only
@needs("add_refund")
def refund(request, pk: int):
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    notice = _get(request, PaymentNotice, pk)
    failed, _r = attempt(request, lambda: services.request_refund(notice, form.cleaned_data["amount"],
                                                                  form.cleaned_data["reason"], request.user),
                         _("The refund awaits approval."), _back())
    return failed or redirect(_back())


@post_only
@needs("approve_refund")
def decide_refund(request, pk: int, action: str):
    item = _get(request, Refund, pk)
    failed, _r = attempt(request, lambda: services.decide_refund(item, request.user, action == "approve"),
                         pgettext("nontax", "Decision recorded."), _back())
    return failed or redirect(_back())


@needs("view_paymentnotice")
def notice_file(request, bank: str):
    scope.require_home(request.user)
    name, text = collection.notice_file(bank)
    return download(text.encode("utf-8"), name, "text/csv; charset=utf-8")


@post_only
@needs("add_collectionfile")
def upload(request):
    scope.require_home(request.user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, form)
    f = form.cleaned_data["file"]
    failed, result = attempt(request, lambda: collection.import_collection_file(f.read(), f.name, request.user),
                             _("The collection file was imported."), _back())
    if result is not None and result.duplicates:
        messages.warning(request, _("%(n)s lines were duplicates of settled codes and were not counted.")
                         % {"n": result.duplicates})
    return failed or redirect(_back())


@post_only
@needs("add_remittancebatch")
def create_batch(request):
    form = BatchForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    account = form.cleaned_data["special_account"]
    target = Target.SPECIAL if account else Target.TREASURY
    failed, _b = attempt(request, lambda: services.create_batch(target, request.user, special_account=account),
                         _("The remittance batch awaits approval."), _back())
    return failed or redirect(_back())


@post_only
@needs("approve_remittancebatch")
def decide_batch(request, pk: int, action: str):
    batch = _get(request, RemittanceBatch, pk)
    failed, _b = attempt(request, lambda: services.decide_batch(batch, request.user, action == "approve"),
                         pgettext("nontax", "Decision recorded."), _back())
    return failed or redirect(_back())


def _range(request):
    end = today()
    form = RangeForm(request.GET or {"start": end - timedelta(days=13), "end": end})
    if form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        start = max(start, end - timedelta(days=MAX_DAYS - 1))
    else:
        start = end - timedelta(days=13)
    return form, start, end


@needs("view_paymentnotice")
def reconciliation(request):
    form, start, end = _range(request)
    days = reports.daily(start, end, agency_ids=scope.agency_ids(request.user))
    return render(request, "finance_nontax/reconciliation.html", {
        "page_title": _("Non-tax revenue: daily reconciliation"), "header_icon": "table", "days": days,
        "form": form, "start": start, "end": end, "all_balanced": all(d.balanced for d in days)})


@needs("view_paymentnotice")
def reconciliation_xlsx(request):
    _form, start, end = _range(request)
    days = reports.daily(start, end, agency_ids=scope.agency_ids(request.user))
    return download(reports.to_excel(days), f"非税收入日对账_{start}_{end}.xlsx", XLSX)
