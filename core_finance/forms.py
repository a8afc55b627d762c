"""Forms of the staff screens. They only collect input; the services validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core_finance.models import Agency, ClassificationCode, CodeTable, DisclosureDataset, Indicator, Project


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))


class CodeImportForm(UploadForm):
    pass


class VersionForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.filter(is_active=True), label=_("agency"))
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100)


class LineForm(forms.Form):
    project = forms.ModelChoiceField(Project.objects.none(), label=_("project"))
    functional = forms.CharField(label=_("functional code"), max_length=7)
    dept_econ = forms.CharField(label=_("departmental economic code"), max_length=5)
    funding = forms.CharField(label=_("funding source"), max_length=20, initial="11")
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.fields["project"].queryset = Project.objects.filter(year=version.year, agency=version.agency)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DocNumberForm(forms.Form):
    doc_number = forms.CharField(label=_("document number (文号)"), max_length=100)


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("add", _("addition (追加)")), ("decrease", _("decrease (追减)")),
                                                       ("transfer", _("transfer (调剂)"))])
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    doc_number = forms.CharField(label=_("document number (文号)"), max_length=100)
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.ModelChoiceField(Indicator.objects.none(), label=_("target indicator"), required=False,
                                    help_text=_("For a transfer: an existing indicator, or leave empty and give "
                                                "the new indicator's classification below."))
    target_agency = forms.ModelChoiceField(Agency.objects.filter(is_active=True), label=_("target agency"),
                                           required=False)
    target_functional = forms.CharField(label=_("target functional code"), max_length=7, required=False)
    target_dept_econ = forms.CharField(label=_("target economic code"), max_length=5, required=False)

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator is not None:
            self.fields["target"].queryset = Indicator.objects.filter(year=indicator.year).exclude(pk=indicator.pk)


class FreezeForm(forms.Form):
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    doc_number = forms.CharField(label=_("document number (文号)"), max_length=100, required=False)
    unfreeze = forms.BooleanField(label=_("unfreeze instead of freeze"), required=False)


class PlanForm(forms.Form):
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)


class PaymentForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(balance__gt=0).select_related("agency", "dept_econ"),
                                       label=_("indicator"))
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    payment_type = forms.ModelChoiceField(ClassificationCode.objects.filter(table=CodeTable.PAYMENT_TYPE),
                                          label=_("payment type"))
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    payee_name = forms.CharField(label=_("payee"), max_length=200)
    payee_account = forms.CharField(label=_("payee account"), max_length=40)
    payee_bank = forms.CharField(label=_("payee bank"), max_length=200)
    purpose = forms.CharField(label=_("purpose"), max_length=300)
    payee_is_individual = forms.BooleanField(label=_("payee is an individual"), required=False)
    is_cash = forms.BooleanField(label=_("cash withdrawal"), required=False)
    card_holder = forms.CharField(label=_("card holder"), max_length=100, required=False)
    card_tx_date = forms.DateField(label=_("card transaction date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    attachment = forms.FileField(label=_("explanation attachment (PDF)"), required=False)


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("amount (yuan)"), max_length=24)
    reason = forms.CharField(label=_("reason"), max_length=200)


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100)
    dimension = forms.ChoiceField(label=_("group by"), choices=[("agency", _("agency")),
                                                          ("functional", _("functional classification")),
                                                          ("dept_econ", _("economic classification"))])
    level = forms.ChoiceField(label=_("level"), required=False,
                              choices=[("", _("leaf")), ("1", _("class (类)")), ("2", _("section (款)")),
                                       ("3", _("item (项)"))])


class DatasetForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.filter(is_department=True), label=_("department"))
    year = forms.IntegerField(label=_("fiscal year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=DisclosureDataset.Kind.choices)
