"""Screens of the special accounts (thin: every action goes through the services). Special
accounts are the treasury's: for staff outside the home division these screens do not exist (404,
services/scope.py)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.services import scope
from core_finance.special_accounts import services, statements
from core_finance.special_accounts.forms import (
    MatchForm,
    RejectForm,
    StatementForm,
    TransactionForm,
    VoidForm,
)
from core_finance.special_accounts.models import SpecialAccount, SpecialTransaction, StatementImport, TxStatus
from core_finance.views.common import attempt, post_only, row_errors

APP = services.APP


def needs(codename):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            scope.require_home(request.user)
            if not request.user.has_perm(f"{APP}.{codename}"):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _back():
    return reverse("finance_special_accounts:overview")


@needs("view_specialaccount")
def overview(request):
    accounts = [(a, services.available(a), services.ledger_balance(a)) for a in SpecialAccount.objects.all()]
    lines = list(statements.unmatched_lines()[:100])
    return render(request, "finance_special_accounts/overview.html", {
        "page_title": _("Special fiscal accounts"), "header_icon": "table", "accounts": accounts,
        "pending": SpecialTransaction.objects.filter(status=TxStatus.PENDING).select_related("account", "created_by"),
        "recent": SpecialTransaction.objects.exclude(status=TxStatus.PENDING).select_related("account")[:50],
        "unmatched": [(line, MatchForm(line=line, prefix=f"m{line.pk}")) for line in lines],
        "statements": StatementImport.objects.all()[:20], "trial": services.trial_balance(),
        "form": TransactionForm(), "statement_form": StatementForm(), "reject_form": RejectForm(),
        "can_add": request.user.has_perm(f"{APP}.add_specialtransaction"),
        "can_approve": request.user.has_perm(f"{APP}.approve_specialtransaction"),
        "can_void": request.user.has_perm(f"{APP}.void_specialtransaction"), "void_form": VoidForm(),
        "can_import": request.user.has_perm(f"{APP}.add_statementimport"),
        "row_errors": row_errors(request),
    })


@post_only
@needs("add_specialtransaction")
def create(request):
    form = TransactionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    failed, _tx = attempt(request, lambda: services.create_transaction(
        data["account"], data["direction"], data["amount"], counterparty=data["counterparty"],
        purpose=data["purpose"], counterparty_account=data["counterparty_account"], value_date=data["value_date"],
        user=request.user), _("The record was created and awaits approval."), _back())
    return failed or redirect(_back())


def _invalid(request, form):
    from django.contrib import messages

    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{' '.join(errors)}")
    return redirect(_back())


@post_only
@needs("approve_specialtransaction")
def decide(request, pk: int, action: str):
    tx = get_object_or_404(SpecialTransaction, pk=pk)
    if action == "approve":
        failed, _r = attempt(request, lambda: services.approve(tx, request.user),
                             _("Approved and posted."), _back())
    elif action == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            return _invalid(request, form)
        failed, _r = attempt(request, lambda: services.reject(tx, request.user, form.cleaned_data["comment"]),
                             _("Rejected."), _back())
    else:
        raise PermissionDenied
    return failed or redirect(_back())


@post_only
@needs("void_specialtransaction")
def void(request, pk: int):
    tx = get_object_or_404(SpecialTransaction, pk=pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    failed, _r = attempt(request, lambda: services.void(tx, request.user, form.cleaned_data["reason"]),
                         _("Voided; the ledger entry was reversed."), _back())
    return failed or redirect(_back())


@post_only
@needs("add_statementimport")
def upload(request):
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, form)
    upload_file = form.cleaned_data["file"]
    failed, _s = attempt(request, lambda: statements.import_statement(upload_file.read(), upload_file.name,
                                                                      request.user),
                         _("The statement was imported and matched."), _back())
    return failed or redirect(_back())


@post_only
@needs("add_statementimport")
def match(request, pk: int):
    line = get_object_or_404(statements.StatementLine, pk=pk)
    form = MatchForm(request.POST, line=line, prefix=f"m{line.pk}")
    if not form.is_valid():
        return _invalid(request, form)
    failed, _m = attempt(request, lambda: statements.match(line, form.cleaned_data["record"], request.user),
                         _("The line was matched."), _back())
    return failed or redirect(_back())
