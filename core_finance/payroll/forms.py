"""Forms of the payroll screens; the services validate again (forms only collect)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core_finance.models import Agency, Indicator
from core_finance.payroll.models import PayItem, PersonnelChange, Staff


def this_month() -> int:
    today = timezone.localdate()
    return today.year * 100 + today.month


class RunForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.filter(is_active=True), label=_("agency"))
    period = forms.IntegerField(label=_("month (YYYYMM)"), initial=this_month)
    indicator = forms.ModelChoiceField(Indicator.objects.filter(dept_econ__code__startswith="301").select_related(
        "agency", "functional", "dept_econ"), label=_("wage indicator"))


class ChangeForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.filter(is_active=True), label=_("agency"))
    kind = forms.ChoiceField(choices=PersonnelChange.Kind.choices, label=pgettext_lazy("payroll", "kind"))
    effective_from = forms.IntegerField(label=_("effective from (YYYYMM)"), initial=this_month)
    reason = forms.CharField(label=_("reason"), max_length=300)
    staff = forms.ModelChoiceField(Staff.objects.filter(left_from__isnull=True), required=False,
                                   label=_("staff (leavers and pay changes)"))
    name = forms.CharField(label=_("name (hires)"), required=False, max_length=50)
    id_number = forms.CharField(label=_("identity number (hires)"), required=False, max_length=18)
    position = forms.CharField(label=_("position (hires)"), required=False, max_length=100)
    grade = forms.CharField(label=_("grade (hires)"), required=False, max_length=50)
    bank_card = forms.CharField(label=_("salary card (hires)"), required=False, max_length=30)
    bank_name = forms.CharField(label=_("card bank (hires)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(PayItem.objects.filter(is_active=True, method=PayItem.Method.FIXED))
        for item in self.items:
            self.fields[f"amount_{item.code}"] = forms.DecimalField(
                label=_("%(item)s (monthly amount)") % {"item": item.name}, required=False, max_digits=18,
                decimal_places=2, min_value=0)

    def amounts(self) -> dict:
        return {i.code: self.cleaned_data[f"amount_{i.code}"] for i in self.items
                if self.cleaned_data.get(f"amount_{i.code}") is not None}

    def person(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "id_number", "position", "grade", "bank_card",
                                                  "bank_name")}


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), required=False, max_length=300)
