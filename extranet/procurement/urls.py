"""Public procurement pages, mounted at /procurement/."""

from django.urls import path, re_path

from extranet.procurement.views import public

app_name = "procurement_public"
urlpatterns = [
    path("", public.tender_list, name="list"),
    path("register/", public.register, name="register"),
    path("register/done/", public.registered, name="registered"),
    path("receipt-key.asc", public.receipt_key, name="receipt_key"),
    path("<str:tender_id>/", public.tender_detail, name="tender"),
    re_path(r"^(?P<tender_id>[A-Za-z0-9:._-]+)/ocds/(?P<kind>releases|record)\.json$", public.ocds, name="ocds"),
]
