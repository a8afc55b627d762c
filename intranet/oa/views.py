"""Screens of the official document system (thin: the work is in services and the workflow)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intranet.oa import forms, workflow
from intranet.oa.elements import ArchiveCategory, element_problems
from intranet.oa.models import Delegation, Document
from intranet.oa.permissions import can_view, open_tasks, visible_documents
from intranet.oa.services import archive, documents, finding, inbox, reading, release
from intranet.oa.services.render import verify_pdf

TABS = ("todo", "done", "started")


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _document(request, pk) -> Document:
    doc = get_object_or_404(Document, pk=pk)
    if not can_view(request.user, doc):
        raise Http404
    return doc


def inbox_view(request):
    tab = request.GET.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    context = {"tab": tab, "counts": inbox.counts(request.user)}
    if tab == "todo":
        context["tasks"] = inbox.todo(request.user)
    elif tab == "done":
        context["documents"] = inbox.done(request.user)
    else:
        context["documents"] = inbox.started(request.user)
    return render(request, "oa/inbox.html", context)


def document_list(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in (Document.OUTGOING, Document.INCOMING) else ""
    context = {"q": q[:finding.MAX_QUERY_CHARS], "kind": kind}
    if q:
        try:
            context["found"] = finding.search(request.user, q, kind=kind)
        except finding.QueryError as exc:
            context["error"] = exc.message
            return render(request, "oa/list.html", context, status=400)
        except finding.Unavailable:
            context["error"] = _("Search is temporarily unavailable. Please try again in a few minutes.")
            return render(request, "oa/list.html", context, status=503)
        context["documents"] = [row.document for row in context["found"].rows]
    else:
        docs = visible_documents(request.user).select_related("department")
        if kind:
            docs = docs.filter(kind=kind)
        context["documents"] = docs[:200]
    return render(request, "oa/list.html", context)


def new_document(request):
    if not request.user.has_perm("oa.draft_document"):
        raise PermissionDenied
    form = forms.DocumentForm(request.POST or None, initial=documents.defaults())
    if request.method == "POST" and form.is_valid():
        try:
            doc = documents.create_draft(request.user, **{k: form.cleaned_data[k] for k in forms.DOCUMENT_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("oa:detail", pk=doc.pk)
    return render(request, "oa/form.html", {"form": form, "heading": _("New outgoing document")})


def new_incoming(request):
    if not request.user.has_perm("oa.clerk_document"):
        raise PermissionDenied
    form = forms.IncomingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doc = documents.register_paper(request.user, **form.cleaned_data)
        messages.success(request, _("The incoming document was received."))
        return redirect("oa:detail", pk=doc.pk)
    return render(request, "oa/form.html", {"form": form, "heading": _("Receive an incoming document")})


def detail(request, pk):
    doc = _document(request, pk)
    actions = [(t, forms.action_form(t, doc)) for t in workflow.available(doc, request.user)]
    waiting = open_tasks(request.user).filter(document=doc).exists()
    return render(request, "oa/detail.html", {
        "doc": doc, "state_label": workflow.state_label(doc), "actions": actions, "waiting_on_me": waiting,
        "problems": element_problems(doc) if doc.is_outgoing and doc.state in ("draft", "reviewing") else [],
        "may_edit": documents.may_edit(doc, request.user),
        "events": doc.events.select_related("actor", "on_behalf_of"),
        "tasks": doc.tasks.filter(done_at__isnull=True).select_related("user", "department"),
        "countersigns": doc.countersigns.select_related("department", "user"),
        "circulation": doc.circulation.select_related("reader"),
        "distributions": doc.distributions.all(),
        "to_read": reading.pending_receipt(doc, request.user),
        "receipts": reading.receipts(doc) if reading.may_see_receipts(doc, request.user) else None,
        "attachment_form": forms.AttachmentForm(),
        "may_release": request.user.has_perm("oa.release_document") and not release.release_problems(doc),
    })


def act(request, pk, name):
    doc = _document(request, pk)
    t = next((t for t in workflow.available(doc, request.user) if t.name == name), None)
    if t is None:
        messages.error(request, _("This action is not available to you for this document now."))
        return redirect("oa:detail", pk=doc.pk)
    form = forms.action_form(t, doc, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.transition(doc, t.name, request.user, **forms.action_data(t, form.cleaned_data))
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": t.label})
            return redirect("oa:detail", pk=doc.pk)
    return render(request, "oa/act.html", {"doc": doc, "t": t, "form": form})


def edit(request, pk):
    doc = _document(request, pk)
    if not documents.may_edit(doc, request.user):
        messages.error(request, _("You can not change this document now."))
        return redirect("oa:detail", pk=doc.pk)
    form = forms.DocumentForm(request.POST or None, instance=Document.objects.get(pk=doc.pk))
    if request.method == "POST" and form.is_valid():
        try:
            updated = documents.update_document(doc, request.user, {k: form.cleaned_data[k]
                                                                    for k in forms.DOCUMENT_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            if updated.state == "signing" and doc.state != "signing":
                messages.warning(request, _("The content changed after signing: the document went back to the "
                                            "signer."))
            else:
                messages.success(request, _("The changes were saved."))
            return redirect("oa:detail", pk=doc.pk)
    return render(request, "oa/form.html", {"form": form, "heading": _("Edit %(title)s") % {"title": doc.title},
                                            "doc": doc})


@require_POST
def attach(request, pk):
    doc = _document(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            documents.add_attachment(doc, request.user, form.cleaned_data["file"])
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You can not change this document now."))
        else:
            messages.success(request, _("The file was attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("oa:detail", pk=doc.pk)


def _file_response(fh, name, media_type, sha256=""):
    response = FileResponse(fh, as_attachment=True, filename=name, content_type=media_type)
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


def pdf(request, pk):
    doc = _document(request, pk)
    if not doc.pdf:
        raise Http404
    if not verify_pdf(doc):
        return HttpResponse(_("The stored PDF does not match its recorded SHA-256; it is withheld."), status=409)
    name = f"{doc.doc_number or doc.pk}.pdf"
    return _file_response(doc.pdf.open("rb"), name, "application/pdf", doc.pdf_sha256)


def attachment(request, pk, att):
    doc = _document(request, pk)
    a = get_object_or_404(doc.files, pk=att)
    return _file_response(a.file.open("rb"), a.name, a.media_type, a.sha256)


@require_POST
def read(request, pk):
    doc = _document(request, pk)
    try:
        reading.mark_read(doc, request.user)
    except reading.NothingToRead as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as read."))
    return redirect("oa:detail", pk=doc.pk)


@require_POST
def release_view(request, pk):
    doc = _document(request, pk)
    try:
        release.release_to_portal(doc, request.user)
    except PermissionDenied:
        messages.error(request, _("You are not allowed to release documents to the public portal."))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The document was queued for the public portal."))
    return redirect("oa:detail", pk=doc.pk)


def archive_view(request):
    if not (request.user.has_perm("oa.archive_document") or request.user.has_perm("oa.view_all_documents")):
        raise PermissionDenied
    year = request.GET.get("year", "")
    category = request.GET.get("category", "")
    rows = archive.catalogue(int(year) if year.isdigit() else None, category or None)
    return render(request, "oa/archive.html", {"rows": rows, "summary": archive.years(), "year": year,
                                               "category": category, "categories": ArchiveCategory.choices})


@require_POST
def archive_export(request, year):
    if not request.user.has_perm("oa.archive_document"):
        raise PermissionDenied
    work = Path(tempfile.mkdtemp())
    try:
        path = archive.export_year(year, work, request.user)
    except ValueError as exc:
        messages.error(request, _("The archive of %(year)s can not be exported: %(reason)s")
                       % {"year": year, "reason": exc})
        return redirect("oa:archive")
    return _file_response(path.open("rb"), path.name, "application/octet-stream")


def delegations(request):
    form = forms.DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        from common.audit.services import record

        delegation = form.save(commit=False)
        delegation.from_user = request.user
        delegation.save()
        record("oa.delegate", delegation, detail={"to": delegation.to_user.get_username(),
                                                  "start": delegation.start, "end": delegation.end},
               actor=request.user)
        messages.success(request, _("Your deputy can act for you in the period given."))
        return redirect("oa:delegations")
    mine = Delegation.objects.filter(Q(from_user=request.user) | Q(to_user=request.user)).select_related(
        "from_user", "to_user")
    return render(request, "oa/delegations.html", {"form": form, "delegations": mine})
