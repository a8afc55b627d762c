"""Staff search on the intranet (behind the OTP login like every intranet URL)."""

from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.staff_search, name="search"),
    path("api/", views.staff_api, name="api"),
    path("suggest/", views.staff_suggest, name="suggest"),
]
