from django.urls import path

from . import views

app_name = "finance_divisions"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.division, name="division"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
]
