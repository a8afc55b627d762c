"""Public forms (question, comment on a draft, page feedback) and the tracking page.

None of these responses is cached (they carry a per-visitor CSRF token and a one-time challenge)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from exchange.errors import MessageRefused
from extranet.consultation import limits, services
from extranet.consultation.forms import CommentForm, FeedbackForm, QuestionForm, TrackForm
from extranet.consultation.models import DraftPage, question_statistics


def _limited(request, template, form, context=None):
    form.add_error(None, _("Too many submissions from your address. Please wait a while and try again."))
    form.new_challenge()
    return render(request, template, {"form": form, **(context or {})}, status=429)


def _submit(request, form_class, template, build, context=None, form_kwargs=None):
    form_kwargs = form_kwargs or {}
    context = context or {}
    if request.method != "POST":
        return render(request, template, {"form": form_class(**form_kwargs), **context})
    form = form_class(request.POST, **form_kwargs)
    if limits.over_limit(request):
        return _limited(request, template, form, context)
    limits.count(request)
    if not form.is_valid():
        form.new_challenge()
        return render(request, template, {"form": form, **context}, status=400)
    try:
        sub, code = services.submit(**build(form.cleaned_data))
    except MessageRefused:
        # Nothing was stored (one transaction): say so rather than show "received".
        form.add_error(None, _("Your submission could not be accepted. Please shorten it or try again later."))
        form.new_challenge()
        return render(request, template, {"form": form, **context}, status=400)
    return render(request, "public_consultation/received.html", {"submission": sub, "code": code})


@never_cache
def ask(request):
    def build(d):
        return {"kind": "question", "topic": d["topic"], "subject": d["subject"], "text": d["text"],
                "name": d["name"], "contact": d["contact"], "wants_public": d["wants_public"]}

    return _submit(request, QuestionForm, "public_consultation/ask.html", build, {"stats": question_statistics()})


@never_cache
def comment(request, page_id: int):
    draft = get_object_or_404(DraftPage.objects.live(), pk=page_id)
    if not draft.is_open():
        return render(request, "public_consultation/comment_closed.html", {"draft": draft}, status=403)
    sections = dict(draft.section_choices())

    def build(d):
        section = d["section"]
        subject = f"{draft.title} · {sections.get(section, _('The whole document'))}"
        return {"kind": "comment", "subject": subject[:100], "text": d["text"], "name": d["name"],
                "contact": d["contact"], "draft": draft, "section": section}

    initial = {"section": request.GET.get("section", "")[:100]}
    return _submit(request, CommentForm, "public_consultation/comment.html", build, {"draft": draft},
                   {"draft": draft, "initial": initial})


@never_cache
def feedback(request):
    page_url = request.GET.get("page", "/")[:500] if request.method != "POST" else ""
    if page_url and (not page_url.startswith("/") or page_url.startswith("//")):
        page_url = "/"

    def build(d):
        return {"kind": d["kind"], "subject": _("About the page %(url)s") % {"url": d["page_url"][:60]},
                "text": d["text"], "contact": d["contact"], "page_url": d["page_url"]}

    return _submit(request, FeedbackForm, "public_consultation/feedback.html", build,
                   form_kwargs={"initial": {"page_url": page_url}} if page_url else None)


@never_cache
def track(request):
    form = TrackForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        sub = services.find(form.cleaned_data["no"])
        if sub is None:
            context["not_found"] = True
        else:
            context["submission"] = sub
            context["can_read"] = sub.reply_public or services.may_read(sub, form.cleaned_data["code"])
            context["code_given"] = bool(form.cleaned_data["code"])
    return render(request, "public_consultation/track.html", context)


