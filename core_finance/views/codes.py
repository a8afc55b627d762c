"""Code tables: import from and export to Excel/CSV."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.forms import CodeImportForm
from core_finance.models import ClassificationCode
from core_finance.services import codes
from core_finance.views.common import XLSX, attempt, download, needs, page, row_errors


@needs("view_classificationcode")
def transfer(request):
    back = reverse("core_finance:codes_transfer")
    form = CodeImportForm()
    if request.method == "POST":
        if not request.user.has_perm("core_finance.import_classificationcode"):
            return page(request, "codes_transfer.html", _("Import and export code tables"), {"form": form}, 403)
        form = CodeImportForm(request.POST, request.FILES)
        if form.is_valid():
            failed, result = attempt(request, lambda: codes.import_codes(form.cleaned_data["file"].read(),
                                                                         request.user),
                                     _("Code tables imported."), back)
            return failed or redirect(back)
    years = ClassificationCode.objects.values_list("year", flat=True).distinct().order_by("-year")
    return page(request, "codes_transfer.html", _("Import and export code tables"),
                {"form": form, "years": years, "row_errors": row_errors(request)})


@needs("view_classificationcode")
def export(request, year: int, fmt: str):
    data = codes.export_codes(year, "csv" if fmt == "csv" else "xlsx")
    if fmt == "csv":
        return download(data, f"codes-{year}.csv", "text/csv; charset=utf-8")
    return download(data, f"codes-{year}.xlsx", XLSX)
