from django.urls import path

from intranet.oa import views

app_name = "oa"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("documents/", views.document_list, name="list"),
    path("new/", views.new_document, name="new"),
    path("incoming/new/", views.new_incoming, name="new_incoming"),
    path("d/<int:pk>/", views.detail, name="detail"),
    path("d/<int:pk>/edit/", views.edit, name="edit"),
    path("d/<int:pk>/attach/", views.attach, name="attach"),
    path("d/<int:pk>/act/<slug:name>/", views.act, name="act"),
    path("d/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("d/<int:pk>/files/<int:att>/", views.attachment, name="attachment"),
    path("d/<int:pk>/release/", views.release_view, name="release"),
    path("d/<int:pk>/read/", views.read, name="read"),
    path("archive/", views.archive_view, name="archive"),
    path("archive/<int:year>/export/", views.archive_export, name="archive_export"),
    path("delegations/", views.delegations, name="delegations"),
]
