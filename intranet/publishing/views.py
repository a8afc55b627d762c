"""Staff screens of the publishing desk (Wagtail admin): the list/create/edit views come from a
ModelViewSet (wagtail_hooks); the workflow page and its actions are here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.views import generic

from common.audit.services import record
from exchange.errors import MessageRefused
from intranet.publishing import datasets, services
from intranet.publishing.forms import DatasetUploadForm, NoteForm, SummaryForm, WithdrawForm
from intranet.publishing.models import Publication


def detail(request, pk):
    pub = get_object_or_404(Publication, pk=pk)
    user = request.user
    can = {
        "edit": pub.editable and pub.author_id == user.pk,
        "submit": pub.editable and pub.author_id == user.pk,
        "review": pub.status == "submitted" and pub.author_id != user.pk and user.has_perm("publishing.review_publication"),
        "approve": pub.status == "reviewed" and user.pk not in (pub.author_id, pub.reviewer_id)
        and user.has_perm("publishing.approve_publication"),
        "withdraw": pub.status == "published" and user.has_perm("publishing.approve_publication"),
        "upload": pub.kind == "dataset" and pub.editable and pub.author_id == user.pk,
        "summary": pub.kind == "draft" and pub.status == "published" and user.has_perm("publishing.approve_publication"),
    }
    return TemplateResponse(request, "publishing/detail.html", {
        "pub": pub, "can": can, "note_form": NoteForm(), "withdraw_form": WithdrawForm(),
        "upload_form": DatasetUploadForm(), "summary_form": SummaryForm(), "events": pub.events.select_related("actor"),
        "edit_url": reverse("publishing_publication:edit", args=[pub.pk]),
        "page_title": pub.title, "header_title": pub.title,
    })


def act(request, pk, action):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pub = get_object_or_404(Publication, pk=pk)
    user = request.user
    note = request.POST.get("note", "")[:2000]
    accept = request.POST.get("decision") != "return"
    try:
        if action == "submit":
            services.submit(pub, user)
            messages.success(request, _("Submitted for review."))
        elif action == "review":
            services.review(pub, user, accept=accept, note=note)
            messages.success(request, _("Reviewed: waiting for approval.") if accept else _("Returned to the author."))
        elif action == "approve":
            services.approve(pub, user, accept=accept, note=note)
            messages.success(request, _("Approved: queued for the public portal.") if accept
                             else _("Returned to the author."))
        elif action == "withdraw":
            services.withdraw(pub, user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Withdrawal queued for the public portal."))
        elif action == "upload":
            _upload(request, pub)
        elif action == "summary":
            form = SummaryForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("The summary is empty or too long."))
            count = services_comment_count(pub)
            services.send_feedback_summary(pub, user, summary_html=_paragraphs(form.cleaned_data["summary"]),
                                           adopted_html=_paragraphs(form.cleaned_data["adopted"]), comment_count=count)
            messages.success(request, _("The summary of the feedback is queued for the public portal."))
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except MessageRefused as exc:
        messages.error(request, _("The exchange refused the message: %(reason)s") % {"reason": exc})
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do that."))
    return redirect("publishing_detail", pk=pub.pk)


def _paragraphs(text: str) -> str:
    from django.utils.html import escape

    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n") if p.strip())


def services_comment_count(pub) -> int:
    from django.apps import apps

    if not apps.is_installed("intranet.consultation"):
        return 0
    from intranet.consultation.models import Case

    return Case.objects.filter(kind="comment", regarding=pub.document_id).count()


@transaction.atomic
def _upload(request, pub):
    if not (pub.kind == "dataset" and pub.editable and pub.author_id == request.user.pk):
        raise PermissionDenied(_("Only the author can change the table of a dataset in draft."))
    form = DatasetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError(_("Choose a spreadsheet file."))
    from common.uploads import validate_upload

    upload = form.cleaned_data["file"]
    validate_upload(upload, allowed={"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                     "application/zip"}, max_bytes=10 * 1024 * 1024)
    upload.seek(0)
    pub.dataset = datasets.read_xlsx(upload)
    pub.save(update_fields=["dataset"])
    record("publishing.dataset_upload", pub, actor=request.user,
           detail={"rows": len(pub.dataset["rows"]), "columns": len(pub.dataset["columns"])})
    messages.success(request, _("Table loaded: %(n)s rows.") % {"n": len(pub.dataset["rows"])})


class CreatePublicationView(generic.CreateView):
    def save_instance(self):
        self.form.instance.author = self.request.user
        self.form.instance.document_id = services.new_document_id()
        instance = super().save_instance()
        record("publishing.create", instance, actor=self.request.user, detail={"document_id": instance.document_id})
        return instance

    def get_success_url(self):
        return reverse("publishing_detail", args=[self.object.pk])


class EditPublicationView(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        obj = get_object_or_404(Publication, pk=kwargs.get("pk"))
        if not (obj.editable and obj.author_id == request.user.pk):
            messages.warning(request, _("Only the author can edit a publication, and only before it is submitted."))
            return redirect("publishing_detail", pk=obj.pk)
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        instance = super().save_instance()
        record("publishing.edit", instance, actor=self.request.user, detail={"document_id": instance.document_id})
        return instance

    def get_success_url(self):
        return reverse("publishing_detail", args=[self.object.pk])


class DeletePublicationView(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        obj = get_object_or_404(Publication, pk=kwargs.get("pk"))
        if not (obj.status == "draft" and obj.author_id == request.user.pk and obj.revision == 0):
            messages.warning(request, _("Only the author can delete a publication that was never submitted."))
            return redirect("publishing_detail", pk=obj.pk)
        return super().dispatch(request, *args, **kwargs)
