from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the withdrawal"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=1000)


class DatasetUploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"))


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the feedback"), widget=forms.Textarea(attrs={"rows": 8}),
                              max_length=100_000)
    adopted = forms.CharField(label=_("Adopted changes"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                              max_length=100_000)
