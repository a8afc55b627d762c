from django.urls import path

from core_finance.assets import views

app_name = "finance_assets"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.create, name="create"),
    path("report/", views.report, name="report"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/change/", views.request_change, name="request_change"),
    path("changes/<int:pk>/<str:action>/", views.decide, name="decide"),
]
