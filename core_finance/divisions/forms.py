from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core_finance.models import Indicator


class FundForm(forms.Form):
    code = forms.CharField(label=_("fund code"), max_length=30)
    name = forms.CharField(label=_("fund name"), max_length=200)
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    allocations = forms.ModelMultipleChoiceField(
        Indicator.objects.filter(source__isnull=True).select_related("agency"), label=_("allocation indicators"),
        help_text=_("The top indicators that carry the allocation; transfers from them stay in the fund."))
    purpose = forms.CharField(label=_("purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100, required=False)
