from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from intranet.procurement.models import Cancellation, Criterion, Lot

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M:%S")


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["number", "title", "budget", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "max_score", "position"]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    file = forms.FileField(label=_("File (PDF, Word, Excel or ZIP)"))


class EvaluatorsForm(forms.Form):
    evaluators = forms.ModelMultipleChoiceField(label=_("Evaluators"), queryset=get_user_model().objects.none(),
                                                widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["evaluators"].queryset = get_user_model().objects.filter(
            Q(groups__permissions__codename="evaluate_bids", groups__permissions__content_type__app_label="procurement")
            | Q(is_superuser=True), is_active=True).distinct()


class AmendmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("What changes"), widget=forms.Textarea(attrs={"rows": 4}))
    affects_bids = forms.BooleanField(label=_("The change affects the preparation of bids"), required=False,
                                      initial=True)
    new_bid_deadline = forms.DateTimeField(label=_("New bid deadline (extension)"), required=False, widget=DT)
    new_opening_at = forms.DateTimeField(label=_("New opening time"), required=False, widget=DT)
    reason = forms.CharField(label=_("Reason given to bidders"), required=False, max_length=2000)
    document_title = forms.CharField(label=_("Amended document title"), required=False, max_length=255)
    document = forms.FileField(label=_("Amended document"), required=False)


class AnswerForm(forms.Form):
    question = forms.CharField(label=_("Question as published"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
    questions = forms.ModelMultipleChoiceField(label=_("Questions answered"), queryset=None, required=False,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = tender.questions.filter(answer__isnull=True)
        self.fields["questions"].label_from_instance = lambda q: q.text[:120]


class OpenForm(forms.Form):
    token = forms.CharField(label=_("One-time password (confirm your identity again)"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note to the supplier"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=100)
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=17, decimal_places=2, min_value=0)
    period_end = forms.DateField(label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CancellationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Cancellation type"), choices=Cancellation.KINDS)
    reason = forms.CharField(label=_("Reason (published in the termination notice)"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CancellationDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve the cancellation")),
                                                               ("reject", _("Reject the cancellation"))])
    comment = forms.CharField(label=_("Comment on the decision"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
