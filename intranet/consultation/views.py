"""Staff screens for public submissions (Wagtail admin)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from common.accounts.models import Department
from intranet.consultation import services
from intranet.consultation.models import Case


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), queryset=Department.objects.all())


class ReplyForm(forms.Form):
    reply = forms.CharField(label=pgettext_lazy("consultation", "Reply"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=1000)


def detail(request, pk):
    case = get_object_or_404(Case.objects.select_related("department", "reply_author", "reply_approver"), pk=pk)
    if not request.user.has_perm("consultation_desk.view_case"):
        raise PermissionDenied
    user = request.user
    in_dept = user.is_superuser or (case.department_id and user.department_id == case.department_id)
    can = {
        "assign": case.status in ("new", "assigned") and user.has_perm("consultation_desk.assign_case"),
        "reply": case.status in ("assigned", "answered") and in_dept,
        "approve": case.status == "answered" and user.has_perm("consultation_desk.approve_reply")
        and user.pk != case.reply_author_id,
        "close": case.is_open and (user.has_perm("consultation_desk.assign_case") or in_dept),
    }
    return TemplateResponse(request, "consultation_desk/detail.html", {
        "case": case, "can": can, "assign_form": AssignForm(initial={"department": case.department_id}),
        "reply_form": ReplyForm(initial={"reply": case.reply}), "note_form": NoteForm(),
    })


def act(request, pk, action):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = get_object_or_404(Case, pk=pk)
    user, post = request.user, request.POST
    try:
        if action == "assign":
            form = AssignForm(post)
            if not form.is_valid():
                raise ValidationError(_("Choose a department."))
            services.assign(case, user, form.cleaned_data["department"])
            messages.success(request, _("Assigned."))
        elif action == "reply":
            services.write_reply(case, user, post.get("reply", "")[:20000])
            messages.success(request, _("Reply saved: waiting for approval."))
        elif action == "approve":
            if post.get("decision") == "return":
                services.return_reply(case, user, post.get("note", "")[:1000])
                messages.success(request, _("Reply returned."))
            else:
                services.approve_reply(case, user, publish=post.get("publish") == "1")
                messages.success(request, _("Reply approved and queued for the public portal."))
        elif action == "close":
            services.close(case, user, reject=post.get("reject") == "1", note=post.get("note", "")[:1000])
            messages.success(request, _("Closed."))
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do that."))
    return redirect("consultation_case", pk=case.pk)
