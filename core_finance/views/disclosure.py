"""Budget disclosure datasets: build, review, send to the extranet; download as CSV/JSON."""

from __future__ import annotations

import io
import json
import zipfile

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core_finance.forms import DatasetForm
from core_finance.models import DisclosureDataset
from core_finance.services import disclosure, scope
from core_finance.views.common import attempt, download, needs, page, post_only, scoped_form, scoped_get


@needs("view_disclosuredataset")
def overview(request):
    form = scoped_form(DatasetForm(request.POST or None), request.user)
    if request.method == "POST":
        if not request.user.has_perm("core_finance.add_disclosuredataset"):
            return redirect("core_finance:disclosure")
        if form.is_valid():
            d = form.cleaned_data
            failed, dataset = attempt(request, lambda: disclosure.build(d["agency"], d["year"], d["kind"],
                                                                        request.user),
                                      _("Dataset built; it needs review."), reverse("core_finance:disclosure"))
            return failed or redirect("core_finance:dataset_detail", dataset.pk)
    return page(request, "disclosure.html", _("Budget disclosure"), {
        "datasets": scope.for_user(DisclosureDataset.objects.select_related("agency", "created_by", "reviewed_by"),
                                   request.user),
        "form": form if request.user.has_perm("core_finance.add_disclosuredataset") else None})


@needs("view_disclosuredataset")
def detail(request, pk: int):
    dataset = scoped_get(request, DisclosureDataset, pk=pk)
    user = request.user
    return page(request, "dataset_detail.html", dataset.title, {
        "dataset": dataset,
        "can_review": dataset.status == "draft" and user.has_perm("core_finance.review_disclosuredataset")
        and dataset.created_by_id != user.pk,
        "can_publish": dataset.status == "reviewed" and user.has_perm("core_finance.publish_disclosuredataset"),
    })


@post_only
@needs("view_disclosuredataset")
def act(request, pk: int, action: str):
    dataset = scoped_get(request, DisclosureDataset, pk=pk)
    back = reverse("core_finance:dataset_detail", args=[pk])
    if action == "review":
        failed, _d = attempt(request, lambda: disclosure.review(dataset, request.user), _("Reviewed."), back)
    else:
        failed, _d = attempt(request, lambda: disclosure.publish(dataset, request.user),
                             _("Queued for the extranet."), back)
    return failed or redirect(back)


@needs("view_disclosuredataset")
def package(request, pk: int):
    """The dataset as a zip: datapackage.json and one CSV per table."""
    dataset = scoped_get(request, DisclosureDataset, pk=pk)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(dataset.descriptor, ensure_ascii=False, indent=2))
        for table in dataset.tables:
            archive.writestr(f"{table['name']}.csv", disclosure.csv_text(table))
    return download(out.getvalue(), f"{dataset.descriptor['name']}.zip", "application/zip")
