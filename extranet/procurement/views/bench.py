"""A plain upload endpoint used only by bench/bids.py as the baseline (no encryption).

Mounted only when ``JINCAI_PROCUREMENT_BENCH_PLAIN_UPLOAD`` is set (setting or environment
variable); never in a deployment. Files go through Django's default upload handlers to disk.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from extranet.procurement.sealing import bid_store


@require_POST
def plain_upload(request):
    if getattr(request.user, "supplier", None) is None:
        raise PermissionDenied
    target = bid_store() / ".bench-plain" / uuid.uuid4().hex
    target.mkdir(parents=True)
    total = 0
    for n, uploaded in enumerate(request.FILES.getlist("files")):
        with open(target / f"f{n:02d}", "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
                total += len(chunk)
    return HttpResponse(f"stored {total}", content_type="text/plain")
