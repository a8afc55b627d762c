from django.urls import path, re_path

from intranet.procurement import views

app_name = "procurement_admin"
urlpatterns = [
    path("tenders/<int:pk>/", views.TenderView.as_view(), name="tender"),
    path("plans/<int:pk>/", views.PlanView.as_view(), name="plan"),
    path("tenders/<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluate"),
    re_path(r"^tenders/(?P<pk>\d+)/ocds/(?P<kind>releases|record)\.json$", views.ocds_download, name="ocds"),
    path("opened/<int:pk>/<int:index>/", views.opened_file, name="opened_file"),
    path("registrations/<int:pk>/review/", views.RegistrationView.as_view(), name="registration"),
    path("registrations/files/<int:pk>/", views.registration_file, name="registration_file"),
]
