from django.urls import path

from . import views

app_name = "intranet_website"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
]
