"""Editing intranet items in the Wagtail admin; the reading side is at /website/."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from . import services
from .forms import NoticeForm
from .models import Notice


def _manages_all(user) -> bool:
    return user.has_perm("intranet_website.view_all_receipts")


class NoticeIndexView(IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return queryset if _manages_all(self.request.user) else queryset.filter(author=self.request.user)


class NoticeCreateView(CreateView):
    def save_instance(self):
        instance = super().save_instance()
        instance.author = self.request.user
        instance.save(update_fields=["author"])
        return services.saved(instance, self.request.user, created=True)


class NoticeEditView(EditView):
    def get_object(self, queryset=None):
        notice = super().get_object(queryset)
        if notice.author_id != self.request.user.pk and not _manages_all(self.request.user):
            raise PermissionDenied
        return notice

    def save_instance(self):
        return services.saved(super().save_instance(), self.request.user, created=False)


class NoticeViewSet(ModelViewSet):
    model = Notice
    icon = "doc-full"
    menu_label = _("Internal website")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = NoticeIndexView
    add_view_class = NoticeCreateView
    edit_view_class = NoticeEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["title", "kind", "is_published", "required_reading", "published_at", "author", "receipts_link"]
    list_filter = ["kind", "is_published", "required_reading"]
    search_fields = ["title", "doc_number"]
    search_backend_name = None
    list_export = ["title", "kind", "doc_number", "is_published", "required_reading", "published_at", "author"]
    edit_handler = ObjectList([
        FieldPanel("kind"), FieldPanel("title"), FieldPanel("doc_number"), FieldPanel("body"),
        FieldPanel("audience_all"), FieldPanel("departments"), FieldPanel("required_reading"),
        FieldPanel("is_published"),
        InlinePanel("attachments", heading=_("attachments"), label=_("attachment"), panels=[FieldPanel("document")]),
    ], base_form_class=NoticeForm)


@hooks.register("register_admin_viewset")
def register_viewset():
    return NoticeViewSet("intranet_website_notices")
