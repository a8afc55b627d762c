from django import forms
from django.utils.translation import gettext_lazy as _

from exchange import conf


class ResendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"))
    first = forms.IntegerField(label=_("From sequence number"), min_value=1)
    last = forms.IntegerField(label=_("To sequence number"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, c) for c in conf.outbound()]

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            raise forms.ValidationError(_("“To” must not be lower than “From”."))
        if data.get("first") and data.get("last") and data["last"] - data["first"] > 100000:
            raise forms.ValidationError(_("Re-export at most 100,000 packages at a time."))
        return data
