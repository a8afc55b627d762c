"""The supplier account area, mounted at /supplier/ (password + OTP)."""

import os

from django.conf import settings
from django.urls import path, re_path

from extranet.procurement.views import supplier

app_name = "supplier_portal"
BID_UPLOAD_PREFIX = "/supplier/bid-upload/"  # exempt from the global request-size cap (settings)
urlpatterns = [
    path("", supplier.dashboard, name="dashboard"),
    path("registration/resubmit/", supplier.resubmit, name="resubmit"),
    path("bid-upload/<str:tender_id>/", supplier.bid, name="bid"),
    path("tenders/<str:tender_id>/ask/", supplier.ask, name="ask"),
    path("tenders/<str:tender_id>/documents/<int:pk>/", supplier.document, name="document"),
    path("bids/<str:bid_id>/", supplier.bid_detail, name="bid_detail"),
    re_path(r"^bids/(?P<bid_id>[0-9a-f]{32})/receipt-v(?P<version>\d+)\.(?P<kind>json|sig)$", supplier.receipt,
            name="receipt"),
    path("bids/<str:bid_id>/withdraw/", supplier.withdraw, name="withdraw"),
]

if getattr(settings, "JINCAI_PROCUREMENT_BENCH_PLAIN_UPLOAD", False) or \
        os.environ.get("JINCAI_PROCUREMENT_BENCH_PLAIN_UPLOAD") == "1":
    from extranet.procurement.views import bench

    urlpatterns.append(path("bench-plain-upload/", bench.plain_upload, name="bench_plain_upload"))
