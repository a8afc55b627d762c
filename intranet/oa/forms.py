"""Forms of the document screens. Business rules live in services and the workflow, not here."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.accounts.models import Department
from intranet.oa.elements import ArchiveCategory, Retention
from intranet.oa.models import Delegation, Document

DOCUMENT_FIELDS = ["doc_type", "direction", "title", "main_recipients", "body", "attachment_notes", "urgency",
                   "secrecy", "secrecy_period", "copy_number", "disclosure", "issuing_agency", "agency_code",
                   "signature_agency", "written_date", "note", "cc"]


class DateInput(forms.DateInput):
    input_type = "date"


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = DOCUMENT_FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "attachment_notes": forms.Textarea(attrs={"rows": 3}),
            "written_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["body"].help_text = _("One paragraph per line; lines starting with 一、 or （一） are headings.")


class IncomingForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "source_agency", "source_number", "doc_type", "urgency", "secrecy", "main_recipients",
                  "body", "written_date"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6}), "written_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_agency"].required = True


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PNG, JPEG or plain text."))


def _departments():
    return Department.objects.order_by("code")


def _people():
    return get_user_model().objects.filter(is_active=True).select_related("department").order_by("username")


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.department}）" if obj.department else str(obj)


def action_form(t, doc, data=None):
    """The form for one transition: a comment always, plus what the transition needs."""
    fields: dict[str, forms.Field] = {
        "comment": forms.CharField(label=_("Reasons") if t.needs_comment else _("Comment"), required=t.needs_comment,
                                   widget=forms.Textarea(attrs={"rows": 3}), max_length=2000),
    }
    if t.name == "review_pass":
        fields["countersign_departments"] = forms.ModelMultipleChoiceField(
            label=_("Countersigning departments (会签)"), required=False, widget=forms.CheckboxSelectMultiple,
            queryset=_departments().exclude(pk=doc.department_id),
            help_text=_("Leave empty when no other department needs to agree."))
    elif t.needs_otp:
        fields["otp"] = forms.CharField(label=_("One-time password"), max_length=16,
                                        widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                                      "inputmode": "numeric"}),
                                        help_text=_("Signing is confirmed with the current code of your "
                                                    "authenticator."))
    elif t.name == "distribute":
        fields["departments"] = forms.ModelMultipleChoiceField(
            label=_("Departments"), required=False, widget=forms.CheckboxSelectMultiple, queryset=_departments())
        fields["paper"] = forms.CharField(label=_("Other recipients (paper copies)"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."))
        fields["to_province"] = forms.BooleanField(label=_("Send to the provincial finance department"),
                                                   required=False)
    elif t.name == "archive":
        fields["retention"] = forms.ChoiceField(label=_("Retention period (保管期限)"), choices=Retention.choices)
        fields["category"] = forms.ChoiceField(label=_("Archive category"), choices=ArchiveCategory.choices)
    elif t.name == "instruct":
        fields["lead_department"] = forms.ModelChoiceField(label=_("Lead department (承办科室)"),
                                                           queryset=_departments())
        fields["deadline"] = forms.DateField(label=_("Deadline (办理时限)"), widget=DateInput())
    elif t.name == "circulate":
        fields["readers"] = PersonChoice(label=_("Readers"), queryset=_people(),
                                         widget=forms.CheckboxSelectMultiple)
    form_class = type("ActionForm", (forms.Form,), fields)
    return form_class(data, prefix=t.name)


def action_data(t, cleaned: dict) -> dict:
    """Turn cleaned form data into the keyword arguments of ``workflow.transition``."""
    data = {"comment": cleaned.get("comment", "")}
    if "countersign_departments" in cleaned:
        data["countersign_departments"] = [d.pk for d in cleaned["countersign_departments"]]
    if "otp" in cleaned:
        data["otp"] = cleaned["otp"]
    if "departments" in cleaned:
        data.update(departments=[d.pk for d in cleaned["departments"]], paper=cleaned.get("paper", ""),
                    to_province=cleaned.get("to_province", False))
    if "retention" in cleaned:
        data.update(retention=cleaned["retention"], category=cleaned["category"])
    if "lead_department" in cleaned:
        data.update(lead_department=cleaned["lead_department"].pk, deadline=cleaned["deadline"])
    if "readers" in cleaned:
        data["readers"] = [u.pk for u in cleaned["readers"]]
    return data


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["to_user", "start", "end", "reason"]
        widgets = {"start": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "end": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = _people().exclude(pk=getattr(user, "pk", None))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            raise forms.ValidationError(_("The end must be after the start."))
        return cleaned
