from django import forms
from django.utils.translation import gettext_lazy as _

from core_finance.debt.codes import INTEREST_PREFIX, PRINCIPAL_PREFIX
from core_finance.debt.models import DebtInstrument, FundSource
from core_finance.models import Indicator
from core_finance.services import scope


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = DebtInstrument
        fields = ["name", "kind", "creditor", "amount", "annual_rate", "issue_date", "term_months", "method",
                  "frequency", "purpose"]
        widgets = {"issue_date": forms.DateInput(attrs={"type": "date"})}


class IndicatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.functional} — {obj.agency.name} ({obj.balance})"


class RepaymentForm(forms.Form):
    source = forms.ChoiceField(label=_("source of funds"), choices=FundSource.choices)
    principal_indicator = IndicatorChoice(label=_("principal indicator (231 debt principal)"), required=False,
                                          queryset=Indicator.objects.none())
    interest_indicator = IndicatorChoice(label=_("interest indicator (232 debt interest)"), required=False,
                                         queryset=Indicator.objects.none())
    paid_on = forms.DateField(label=_("repayment date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)

    def __init__(self, *args, user=None, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        base = Indicator.objects.select_related("agency", "functional").order_by("number")
        if user is not None:
            base = scope.for_user(base, user)
        # Each picker offers only its own functional class; a part the line does not have is dropped.
        for name, prefix, amount in (("principal_indicator", PRINCIPAL_PREFIX, line.principal if line else 1),
                                     ("interest_indicator", INTEREST_PREFIX, line.interest if line else 1)):
            if amount:
                self.fields[name].queryset = base.filter(functional__code__startswith=prefix)
            else:
                del self.fields[name]


class CapacityForm(forms.Form):
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100)
    capacity = forms.DecimalField(label=_("comprehensive fiscal capacity (综合财力)"), max_digits=18,
                                  decimal_places=2)
    note = forms.CharField(label=_("basis"), max_length=200, required=False)
