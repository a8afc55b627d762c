from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from intranet.publishing import views
from intranet.publishing.models import Publication


class PublicationViewSet(ModelViewSet):
    model = Publication
    icon = "doc-full"
    menu_label = _("Publishing desk")
    menu_order = 210
    add_to_admin_menu = True
    name = "publishing_publication"
    url_prefix = "publishing/publications"
    list_display = ["title", "kind", "doc_number", "status", "author", "created_at"]
    list_filter = ["status", "kind"]
    list_export = ["document_id", "title", "kind", "doc_number", "issuer", "status", "revision", "author",
                   "reviewer", "approver", "created_at", "approved_at"]
    export_filename = "publications"
    search_fields = ["title", "doc_number", "document_id"]
    create_view_class = views.CreatePublicationView
    edit_view_class = views.EditPublicationView
    delete_view_class = views.DeletePublicationView


@hooks.register("register_admin_viewset")
def register_viewset():
    return PublicationViewSet()


@hooks.register("register_admin_urls")
def urls():
    return [
        path("publishing/<int:pk>/", views.detail, name="publishing_detail"),
        path("publishing/<int:pk>/<slug:action>/", views.act, name="publishing_act"),
    ]
