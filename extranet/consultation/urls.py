from django.urls import path

from extranet.consultation import views

app_name = "public_consultation"
urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("comment/<int:page_id>/", views.comment, name="comment"),
    path("feedback/", views.feedback, name="feedback"),
    path("track/", views.track, name="track"),
]
