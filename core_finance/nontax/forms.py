"""Forms of the non-tax revenue screens; they collect input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.nontax.models import CollectionItem
from core_finance.special_accounts.models import SpecialAccount


class NoticeForm(forms.Form):
    item = forms.ModelChoiceField(CollectionItem.objects.filter(is_active=True), label=_("collection item"))
    payer_name = forms.CharField(label=_("payer"), max_length=100)
    payer_id = forms.CharField(label=_("payer ID or credit code"), max_length=30, required=False)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24, required=False,
                             help_text=_("Leave empty for an item with a fixed amount."))
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    bank = forms.CharField(label=_("agent bank"), max_length=20, initial="ICBC")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class RefundForm(ReasonForm):
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("collection file from the agent bank"))


class BatchForm(forms.Form):
    special_account = forms.ModelChoiceField(SpecialAccount.objects.filter(is_active=True), required=False,
                                             label=_("special account"),
                                             help_text=_("Leave empty to remit to the treasury."))


class RangeForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("nontax", "from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=pgettext_lazy("nontax", "to"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
