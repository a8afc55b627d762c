from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from intranet.consultation import views
from intranet.consultation.models import Case


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Cases arrive only by exchange: staff view and act on them, never add, edit or delete rows."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)


class DueColumn(Column):
    cell_template_name = "consultation_desk/due_cell.html"


class CaseViewSet(ModelViewSet):
    model = Case
    icon = "help"
    menu_label = _("Public submissions")
    menu_order = 220
    add_to_admin_menu = True
    name = "consultation_case"
    url_prefix = "consultation/cases"
    list_filter = ["status", "kind", "department"]
    search_fields = ["tracking_no", "subject"]
    list_export = ["tracking_no", "kind", "topic", "subject", "status", "department", "received_at", "due_at",
                   "replied_at", "published"]
    export_filename = "public-submissions"
    form_fields = ["status"]

    @property
    def list_display(self):
        return [
            TitleColumn("tracking_no", label=_("Tracking number"),
                        get_url=lambda obj: reverse("consultation_case", args=[obj.pk])),
            "subject", "kind", "department", "status",
            DueColumn("due_at", label=_("Answer due")),
        ]


register_permission_policy(Case, ReadOnlyPolicy(Case))


@hooks.register("register_admin_viewset")
def register_viewset():
    return CaseViewSet()


@hooks.register("register_admin_urls")
def urls():
    return [
        path("consultation/<int:pk>/", views.detail, name="consultation_case"),
        path("consultation/<int:pk>/<slug:action>/", views.act, name="consultation_act"),
    ]
