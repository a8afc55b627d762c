from django.urls import path

from core_finance.debt import views

app_name = "finance_debt"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.instrument, name="instrument"),
    path("lines/<int:pk>/repay/", views.repay, name="repay"),
    path("capacity/", views.capacity, name="capacity"),
]
