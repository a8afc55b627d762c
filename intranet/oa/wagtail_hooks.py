"""The official document system in the Wagtail admin: a menu entry to the workflow screens (at
/oa/) and the document register (登记簿) as a Wagtail report with spreadsheet export."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from intranet.oa.permissions import visible_documents


class DocumentRegisterView(ReportView):
    """Every document the user may see (the same rule as the screens and search)."""

    page_title = _("Document register")
    header_icon = "doc-full"
    index_url_name = "oa_register"
    index_results_url_name = "oa_register_results"
    list_export = ["doc_number", "title", "kind", "doc_type", "state", "department", "source_agency",
                   "source_number", "written_date", "archive_code"]
    export_headings = {"doc_number": _("Number"), "title": _("Title"), "kind": _("Kind"), "doc_type": pgettext_lazy("oa", "Type"),
                       "state": _("State"), "department": _("Department"), "source_agency": _("Sending agency"),
                       "source_number": _("Their number"), "written_date": pgettext_lazy("oa", "Date"),
                       "archive_code": _("Archive reference")}
    columns = [
        TitleColumn("title", label=_("Title"), url_name="oa:detail"),
        Column("doc_number", label=_("Number")),
        Column("get_kind_display", label=_("Kind")),
        Column("department", label=_("Department")),
        DateColumn("updated_at", label=_("Updated")),
    ]

    def get_queryset(self):
        return visible_documents(self.request.user).select_related("department").order_by("-updated_at")


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("oa/register/", DocumentRegisterView.as_view(), name="oa_register"),
        path("oa/register/results/", DocumentRegisterView.as_view(results_only=True), name="oa_register_results"),
    ]


@hooks.register("register_admin_menu_item")
def oa_menu_item():
    return MenuItem(_("Official documents"), reverse("oa:inbox"), icon_name="doc-full", order=150)


@hooks.register("register_reports_menu_item")
def register_menu_item():
    return MenuItem(_("Document register"), reverse("oa_register"), icon_name="list-ul", order=50)
