"""Forms of the special account screens; they collect input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.special_accounts.models import Direction, SpecialAccount, SpecialTransaction


class TransactionForm(forms.Form):
    account = forms.ModelChoiceField(SpecialAccount.objects.filter(is_active=True), label=_("special account"))
    direction = forms.ChoiceField(label=pgettext_lazy("special accounts", "direction"), choices=Direction.choices)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    counterparty = forms.CharField(label=_("counterparty"), max_length=100)
    counterparty_account = forms.CharField(label=_("counterparty account"), max_length=40, required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=200)
    value_date = forms.DateField(label=_("value date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("reason for rejection"), max_length=200)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("reason for voiding"), max_length=200)


class StatementForm(forms.Form):
    file = forms.FileField(label=_("bank statement (CSV or Excel)"))


class MatchForm(forms.Form):
    record = forms.ModelChoiceField(SpecialTransaction.objects.none(), label=_("record"))

    def __init__(self, *args, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        if line is not None:
            self.fields["record"].queryset = SpecialTransaction.objects.filter(
                account=line.account, direction=line.direction, amount=line.amount, status="approved",
                statement_line__isnull=True)
