"""Public procurement pages: tender list and notices, registration, open data."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from extranet.procurement.forms import RegistrationForm
from extranet.procurement.models import Tender
from extranet.procurement.services import outbound, suppliers


def tender_list(request):
    tenders = Tender.objects.all()
    return render(request, "supplier_portal/tender_list.html", {"tenders": tenders})


def tender_detail(request, tender_id):
    tender = get_object_or_404(Tender, tender_id=tender_id)
    supplier = getattr(request.user, "supplier", None) if request.user.is_authenticated else None
    context = {
        "tender": tender,
        "documents": tender.documents.filter(amendment__isnull=True),
        "amendments": tender.amendments.prefetch_related("documents"),
        "clarifications": tender.clarifications.all(),
        "supplier": supplier,
        "opening": tender.opening_record,
        "award": tender.award_notice,
        "cancelled_at": parse_datetime(tender.cancellation["published_at"]) if tender.cancellation else None,
    }
    return render(request, "supplier_portal/tender_detail.html", context)


def _ocds_package(tender: Tender, kind: str) -> dict:
    publisher = {"name": _("Municipal Finance Bureau")}
    if kind == "releases":
        releases = [r.release for r in tender.ocds_releases.all()]
        if not releases:
            raise Http404
        return {"uri": f"urn:jincai:ocds:{tender.tender_id}:releases", "version": "1.1", "publisher": publisher,
                "publishedDate": releases[-1]["date"], "releases": releases}
    if not tender.ocds_record:
        raise Http404
    return {"uri": f"urn:jincai:ocds:{tender.tender_id}:record", "version": "1.1", "publisher": publisher,
            "publishedDate": tender.ocds_record["compiledRelease"]["date"], "records": [tender.ocds_record]}


def ocds(request, tender_id, kind):
    tender = get_object_or_404(Tender, tender_id=tender_id)
    response = JsonResponse(_ocds_package(tender, kind), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{tender.tender_id}-ocds-{kind}.json"'
    return response


def receipt_key(request):
    key = outbound.public_key()
    if not key:
        raise Http404
    return HttpResponse(key, content_type="application/pgp-keys")


@sensitive_post_parameters("password", "password2")
def register(request):
    if request.user.is_authenticated and hasattr(request.user, "supplier"):
        return redirect("supplier_portal:dashboard")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        suppliers.register(form.cleaned_data, form.cleaned_data["files"])
        messages.success(request, _("Your registration was received and will be reviewed by the bureau. You can "
                                    "log in now; you can bid once it is approved."))
        return redirect("procurement_public:registered")
    return render(request, "supplier_portal/register.html", {"form": form})


def registered(request):
    return render(request, "supplier_portal/registered.html")
