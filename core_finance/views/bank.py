"""Agent bank files and daily clearing."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.forms import UploadForm
from core_finance.models import Agency, BankFile, ClearingRecord, PaymentStatus, PaymentVoucher
from core_finance.services import bank
from core_finance.views.common import attempt, download, needs, page, post_only


@needs("view_bankfile")
def overview(request):
    waiting = {}
    for voucher in PaymentVoucher.objects.filter(application__status=PaymentStatus.APPROVED, bank_file__isnull=True):
        waiting[voucher.bank] = waiting.get(voucher.bank, 0) + 1
    banks = sorted(set(Agency.objects.values_list("agent_bank", flat=True)) | set(waiting))
    return page(request, "bank.html", _("Agent banks and clearing"), {
        "banks": [(b, waiting.get(b, 0)) for b in banks], "files": BankFile.objects.all()[:50],
        "clearing": ClearingRecord.objects.all()[:100], "form": UploadForm(),
        "can_exchange": request.user.has_perm("core_finance.exchange_bankfile"),
    })


@post_only
@needs("exchange_bankfile")
def export(request, code: str):
    back = reverse("core_finance:bank")
    failed, bank_file = attempt(request, lambda: bank.export_payment_file(code, request.user),
                                _("Payment file written."), back)
    if failed:
        return failed
    if bank_file is None:
        return redirect(back)
    return redirect(back)


@post_only
@needs("exchange_bankfile")
def upload(request):
    back = reverse("core_finance:bank")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        failed, _f = attempt(request, lambda: bank.import_bank_file(upload_file.read(), upload_file.name,
                                                                    request.user), _("Bank file applied."), back)
        return failed or redirect(back)
    return redirect(back)


@post_only
@needs("exchange_bankfile")
def pick_up(request):
    back = reverse("core_finance:bank")
    failed, _f = attempt(request, lambda: bank.import_incoming(request.user), _("Incoming bank files applied."), back)
    return failed or redirect(back)


@needs("view_bankfile")
def file_download(request, pk: int):
    bank_file = get_object_or_404(BankFile, pk=pk)
    return download(bank_file.content.encode("utf-8"), bank_file.name, "text/csv; charset=utf-8")
