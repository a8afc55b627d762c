from django.urls import path

from core_finance.revenue import views

app_name = "finance_revenue"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("import/", views.upload, name="import"),
    path("publish/", views.publish, name="publish"),
]
