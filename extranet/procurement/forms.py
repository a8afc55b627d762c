from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.uploads import validate_upload
from extranet.procurement import uscc
from extranet.procurement.models import Supplier
from extranet.procurement.services.suppliers import QUALIFICATION_MAX_BYTES, QUALIFICATION_TYPES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class RegistrationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24,
                           help_text=_("18 characters, as on the business licence."))
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    address = forms.CharField(label=_("Registered address"), max_length=300)
    business_scope = forms.CharField(label=_("Business scope"), max_length=2000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    email = forms.EmailField(label=_("Email"))
    licence = forms.FileField(label=_("Business licence (PDF, JPEG or PNG)"))
    qualifications = forms.FileField(label=_("Other qualification files (optional)"), required=False,
                                     widget=MultipleFileInput(attrs={"multiple": True}))
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[A-Za-z0-9_.-]{3,150}$",
                                help_text=_("Letters, digits, dots, hyphens and underscores."))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=_("At least 12 characters with letters, digits and symbols."))
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def clean_uscc(self):
        code = uscc.normalize(self.cleaned_data["uscc"])
        if not uscc.is_valid(code):
            raise ValidationError(_("This is not a valid unified social credit code (check the 18 characters)."))
        if Supplier.objects.filter(uscc=code).exists():
            raise ValidationError(_("A supplier with this unified social credit code is already registered."))
        return code

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise ValidationError(_("This username is taken."))
        return name

    def _file(self, uploaded):
        return validate_upload(uploaded, allowed=QUALIFICATION_TYPES, max_bytes=QUALIFICATION_MAX_BYTES)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except ValidationError as exc:
                self.add_error("password", exc)
        files = []
        if data.get("licence"):
            try:
                files.append((str(_("Business licence")), data["licence"], self._file(data["licence"])))
            except ValidationError as exc:
                self.add_error("licence", exc)
        for uploaded in self.files.getlist("qualifications")[:9]:
            try:
                files.append((uploaded.name, uploaded, self._file(uploaded)))
            except ValidationError as exc:
                self.add_error("qualifications", exc)
        data["files"] = files
        return data


class ResubmissionForm(forms.Form):
    """A rejected registration, corrected. Uploaded files replace all files sent before."""

    company_name = RegistrationForm.base_fields["company_name"]
    uscc = RegistrationForm.base_fields["uscc"]
    legal_representative = RegistrationForm.base_fields["legal_representative"]
    address = RegistrationForm.base_fields["address"]
    business_scope = RegistrationForm.base_fields["business_scope"]
    contact_name = RegistrationForm.base_fields["contact_name"]
    contact_phone = RegistrationForm.base_fields["contact_phone"]
    email = RegistrationForm.base_fields["email"]
    licence = forms.FileField(label=_("Corrected business licence (PDF, JPEG or PNG)"), required=False,
                              help_text=_("Leave empty to send the files sent before again."))
    qualifications = forms.FileField(label=_("Other qualification files (optional)"), required=False,
                                     widget=MultipleFileInput(attrs={"multiple": True}))

    def __init__(self, *args, supplier: Supplier, **kwargs):
        self.supplier = supplier
        contact = (supplier.contacts or [{}])[0]
        kwargs.setdefault("initial", {
            "company_name": supplier.company_name, "uscc": supplier.uscc,
            "legal_representative": supplier.legal_representative, "address": supplier.address,
            "business_scope": supplier.business_scope, "contact_name": contact.get("name", ""),
            "contact_phone": contact.get("phone", ""), "email": contact.get("email", supplier.user.email)})
        super().__init__(*args, **kwargs)

    def clean_uscc(self):
        code = uscc.normalize(self.cleaned_data["uscc"])
        if not uscc.is_valid(code):
            raise ValidationError(_("This is not a valid unified social credit code (check the 18 characters)."))
        if Supplier.objects.filter(uscc=code).exclude(pk=self.supplier.pk).exists():
            raise ValidationError(_("A supplier with this unified social credit code is already registered."))
        return code

    def clean(self):
        data = super().clean()
        files = []
        if data.get("licence"):
            try:
                files.append((str(_("Business licence")), data["licence"], RegistrationForm._file(self,
                                                                                                 data["licence"])))
            except ValidationError as exc:
                self.add_error("licence", exc)
        others = self.files.getlist("qualifications")[:9]
        if others and not data.get("licence"):
            self.add_error("licence", _("Uploaded files replace those sent before: include the business licence."))
        for uploaded in others:
            try:
                files.append((uploaded.name, uploaded, RegistrationForm._file(self, uploaded)))
            except ValidationError as exc:
                self.add_error("qualifications", exc)
        data["files"] = files
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Your question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Questions and answers are published without the name of who asked."))


class BidForm(forms.Form):
    """The non-file fields of a bid; the files themselves are sealed by the upload handler."""

    lot = forms.TypedChoiceField(label=_("Lot"), coerce=int)
    price = forms.CharField(label=_("Bid price (yuan)"), max_length=20,
                            help_text=_("Encrypted together with the files; nobody can read it before the opening."),
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    confirm = forms.BooleanField(label=_("I confirm that these files and this price are my complete bid."))

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(lot["number"], f"{lot['number']}. {lot['title']}") for lot in tender.lots]

    def clean_price(self):
        raw = self.cleaned_data["price"].replace(",", "").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("Enter the price as a number, e.g. 125000.00.")) from None
        if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("1e15"):
            raise ValidationError(_("Enter a positive price with at most two decimals."))
        return value
