from django.urls import path

from core_finance.special_accounts import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("records/new/", views.create, name="create"),
    path("records/<int:pk>/void/", views.void, name="void"),
    path("records/<int:pk>/<str:action>/", views.decide, name="decide"),
    path("statements/upload/", views.upload, name="upload"),
    path("statements/lines/<int:pk>/match/", views.match, name="match"),
]
