"""The ledger: entries, reversals, trial balance and period closing."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core_finance.forms import PeriodForm, ReversalForm
from core_finance.models import AccountingPeriod, JournalEntry
from core_finance.services import ledger
from core_finance.views.common import attempt, needs, page, post_only


@needs("view_journalentry")
def overview(request):
    today = timezone.localdate()
    lock = ledger.locked_through()
    return page(request, "ledger.html", _("Ledger"), {
        "entries": JournalEntry.objects.select_related("created_by")[:100], "trial": ledger.trial_balance(),
        "periods": AccountingPeriod.objects.all()[:24], "locked": lock,
        "form": PeriodForm(initial={"year": today.year, "month": today.month}),
        "can_close": request.user.has_perm("core_finance.close_accountingperiod"),
    })


@needs("view_journalentry")
def entry(request, pk: int):
    item = get_object_or_404(JournalEntry.objects.select_related("reverses", "created_by"), pk=pk)
    return page(request, "journal_entry.html", f"{_('journal entry')} {item.number}", {
        "entry": item, "lines": item.lines.select_related("account", "agency", "indicator"),
        "reversed_by": JournalEntry.objects.filter(reverses=item).first(),
        "form": ReversalForm() if request.user.has_perm("core_finance.reverse_journalentry") else None,
    })


@post_only
@needs("reverse_journalentry")
def reverse_entry(request, pk: int):
    item = get_object_or_404(JournalEntry, pk=pk)
    back = reverse("core_finance:journal_entry", args=[pk])
    failed, _e = attempt(request, lambda: ledger.reverse(item, request.user, request.POST.get("reason", "")),
                         _("Reversal posted."), back)
    return failed or redirect(back)


@post_only
@needs("close_accountingperiod")
def close(request):
    back = reverse("core_finance:ledger")
    form = PeriodForm(request.POST)
    if form.is_valid():
        failed, _p = attempt(request, lambda: ledger.close_period(form.cleaned_data["year"],
                                                                  form.cleaned_data["month"], request.user),
                             _("Period closed and locked."), back)
        return failed or redirect(back)
    return redirect(back)
