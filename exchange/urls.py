from django.urls import path

from exchange import views

app_name = "exchange_admin"
urlpatterns = [
    path("", views.StatusView.as_view(), name="status"),
    path("resend/", views.resend, name="resend"),
    path("quarantine/", views.QuarantineView.as_view(), name="quarantine"),
    path("quarantine/results/", views.QuarantineView.as_view(results_only=True), name="quarantine_results"),
    path("received/", views.ReceivedView.as_view(), name="received"),
    path("received/results/", views.ReceivedView.as_view(results_only=True), name="received_results"),
]
