from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core_finance.debt.codes import DEBT_SERVICE_PREFIXES
from core_finance.debt.models import DebtInstrument, FundSource
from core_finance.models import Indicator


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = DebtInstrument
        fields = ["name", "kind", "creditor", "amount", "annual_rate", "issue_date", "term_months", "method",
                  "frequency", "purpose"]
        widgets = {"issue_date": forms.DateInput(attrs={"type": "date"})}


class RepaymentForm(forms.Form):
    source = forms.ChoiceField(label=_("source of funds"), choices=FundSource.choices)
    indicator = forms.ModelChoiceField(label=_("debt-service indicator"), required=False,
                                       queryset=Indicator.objects.none())
    paid_on = forms.DateField(label=_("repayment date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        query = None
        for prefix in DEBT_SERVICE_PREFIXES:
            q = Q(functional__code__startswith=prefix)
            query = q if query is None else query | q
        self.fields["indicator"].queryset = Indicator.objects.filter(query).select_related("agency", "functional",
                                                                                           "dept_econ")


class CapacityForm(forms.Form):
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100)
    capacity = forms.DecimalField(label=_("comprehensive fiscal capacity (综合财力)"), max_digits=18,
                                  decimal_places=2)
    note = forms.CharField(label=_("basis"), max_length=200, required=False)
