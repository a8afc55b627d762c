"""Public search on the extranet: /search/, /search/api/, /search/suggest/."""

from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.public_search, name="search"),
    path("api/", views.public_api, name="api"),
    path("suggest/", views.public_suggest, name="suggest"),
]
