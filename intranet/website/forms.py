from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .services import check_attachment


class NoticeForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("audience_all") and not cleaned.get("departments"):
            self.add_error("departments", _("Choose at least one department, or address the item to all staff."))
        formset = self.formsets.get("attachments")
        if formset is not None and formset.is_valid():
            for form in formset.forms:
                data = getattr(form, "cleaned_data", {}) or {}
                if data.get("document") and not data.get("DELETE"):
                    try:
                        check_attachment(data["document"])
                    except ValidationError as exc:
                        self.add_error(None, exc)
        return cleaned
