from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core_finance.assets.models import AssetCategory, ChangeKind
from core_finance.models import Agency, PaymentApplication, PaymentStatus


class CardForm(forms.Form):
    name = forms.CharField(label=_("asset name"), max_length=200)
    category = forms.ModelChoiceField(label=_("asset category"), queryset=AssetCategory.objects.all())
    agency = forms.ModelChoiceField(label=_("holding agency"), queryset=Agency.objects.filter(is_active=True))
    payment = forms.ModelChoiceField(
        label=_("acquisition payment"), required=False, help_text=_("a paid payment on a 310 capital code"),
        queryset=PaymentApplication.objects.filter(status=PaymentStatus.PAID, dept_econ__code__startswith="310"))
    original_value = forms.DecimalField(label=_("original value"), max_digits=18, decimal_places=2)
    acquired_on = forms.DateField(label=_("acquisition date"), widget=forms.DateInput(attrs={"type": "date"}))
    useful_life_months = forms.IntegerField(label=_("useful life (months)"), required=False, min_value=0,
                                            help_text=_("empty: the category's default life"))
    location = forms.CharField(label=_("location"), max_length=200)
    custodian = forms.CharField(label=_("custodian"), max_length=100)


class EditForm(forms.Form):
    location = forms.CharField(label=_("location"), max_length=200)
    custodian = forms.CharField(label=_("custodian"), max_length=100)


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of change"), choices=ChangeKind.choices)
    to_agency = forms.ModelChoiceField(label=_("to agency or receiver"), required=False,
                                       queryset=Agency.objects.filter(is_active=True))
    receiver = forms.CharField(label=_("receiver outside the register"), max_length=200, required=False)
    proceeds = forms.DecimalField(label=_("sale proceeds"), max_digits=18, decimal_places=2, required=False)
    effective_on = forms.DateField(label=_("effective date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), max_length=300)


class DecideForm(forms.Form):
    comment = forms.CharField(label=_("comment"), max_length=300, required=False)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    agency = forms.ModelChoiceField(label=_("holding agency"), required=False, queryset=Agency.objects.all())
    status = forms.ChoiceField(label=_("status of the asset"), required=False,
                               choices=[("", "—"), ("in_use", _("in use")), ("disposed", _("disposed"))])

    def apply(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"]:
            qs = qs.filter(Q(number__icontains=d["q"]) | Q(name__icontains=d["q"]) | Q(custodian__icontains=d["q"]))
        if d["agency"]:
            qs = qs.filter(agency=d["agency"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        return qs
