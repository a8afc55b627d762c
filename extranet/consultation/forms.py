from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from extranet.consultation import challenge
from extranet.consultation.models import TOPICS
from extranet.consultation.services import MAX_SUBJECT, MAX_TEXT


class ChallengeForm(forms.Form):
    """Honeypot and the arithmetic challenge every public form carries."""

    # Hidden from people (CSS and aria-hidden); programs that fill every field fill it.
    website = forms.CharField(required=False, label=_("Leave this field empty"), max_length=200)
    challenge_token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    challenge_answer = forms.CharField(label=_("Check question"), max_length=10,
                                       help_text=_("Answer in digits, e.g. 7. This tells us you are a person."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.new_challenge()

    def new_challenge(self) -> None:
        question, token = challenge.new()
        self.challenge_question = question
        self.fields["challenge_answer"].label = _("Check question: %(q)s") % {"q": question}
        self.initial["challenge_token"] = token
        if self.is_bound:
            data = self.data.copy()
            data["challenge_token"] = token
            data["challenge_answer"] = ""
            self.data = data

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("This submission was not accepted."), code="honeypot")
        if "challenge_token" in cleaned or "challenge_answer" in cleaned:
            problem = challenge.check(cleaned.get("challenge_token", ""), cleaned.get("challenge_answer", ""),
                                      consume=not self.errors)
            if problem == "expired":
                self.add_error("challenge_answer", _("The check question has expired; please answer the new one."))
            elif problem:
                self.add_error("challenge_answer", _("The answer to the check question is not right; please try again."))
        return cleaned


def _text_field(label):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_TEXT,
                           help_text=_("At most %(n)s characters.") % {"n": MAX_TEXT},
                           error_messages={"max_length": _("Please keep it to %(limit_value)s characters or fewer "
                                                           "(you wrote %(show_value)s).")})


class QuestionForm(ChallengeForm):
    topic = forms.ChoiceField(label=_("Topic"), choices=TOPICS)
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    text = _text_field(_("Your question"))
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=100)
    contact = forms.CharField(label=_("Telephone or e-mail (optional)"), required=False, max_length=254)
    wants_public = forms.BooleanField(label=_("The question and the reply may be published (your name and contact "
                                              "details never are)"), required=False, initial=True)
    field_order = ["topic", "subject", "text", "name", "contact", "wants_public", "challenge_answer", "website",
                   "challenge_token"]


class CommentForm(ChallengeForm):
    section = forms.ChoiceField(label=_("Your comment is about"), required=False)
    text = _text_field(_("Your comment"))
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=100)
    contact = forms.CharField(label=_("Telephone or e-mail (optional)"), required=False, max_length=254)
    field_order = ["section", "text", "name", "contact", "challenge_answer", "website", "challenge_token"]

    def __init__(self, *args, draft=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("The whole document"))]
        if draft is not None:
            choices += draft.section_choices()
        self.fields["section"].choices = choices


class FeedbackForm(ChallengeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("error_report", _("Report an error on the page")),
                                                       ("feedback", _("Other feedback about the page"))])
    page_url = forms.CharField(label=_("Page address"), max_length=500)
    text = _text_field(_("What is wrong or what should be improved"))
    contact = forms.CharField(label=_("Telephone or e-mail (optional)"), required=False, max_length=254)
    field_order = ["kind", "page_url", "text", "contact", "challenge_answer", "website", "challenge_token"]

    def clean_page_url(self):
        url = self.cleaned_data["page_url"].strip()
        if not url.startswith("/") or url.startswith("//"):
            raise forms.ValidationError(_("Give the address of a page of this site."))
        return url


class TrackForm(forms.Form):
    no = forms.CharField(label=_("Tracking number"), max_length=20)
    code = forms.CharField(label=_("Access code (to read a reply that is not public)"), required=False, max_length=20)
