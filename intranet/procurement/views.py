"""Staff workflow screens in the Wagtail admin: a tender's page with its actions, evaluation,
supplier review, downloads. Plans and the tender register are Wagtail ModelViewSets (wagtail_hooks)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from intranet.procurement import clock, forms, ocds
from intranet.procurement.models import (
    Award,
    IncomingBid,
    OpenedBid,
    ProcurementPlan,
    RegistrationFile,
    SupplierRegistration,
    Tender,
    procurement_root,
)
from intranet.procurement.services import cancellation, evaluation, opening, plans, publishing

STAFF_PERMS = ("procurement.manage_tenders", "procurement.open_bids", "procurement.evaluate_bids")


def _any_perm(user, perms=STAFF_PERMS) -> bool:
    return any(user.has_perm(p) for p in perms)


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages if hasattr(exc, "messages") else [str(exc)]


class TenderView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "procurement/tender.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not _any_perm(request.user):
            raise PermissionDenied
        self.tender = get_object_or_404(Tender, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.tender.reference} {self.tender.title}"

    def get_context_data(self, **kwargs):
        t = self.tender
        ctx = super().get_context_data(**kwargs)
        closing, problem = opening.readiness(t)
        ctx.update(
            tender=t, lots=t.lots.all(), criteria=t.criteria.all(), documents=t.documents.select_related("amendment"),
            amendments=t.amendments.all(), answers=t.answers.all(), questions=t.questions.filter(answer__isnull=True),
            problems=publishing.publication_problems(t, clock.now()) if t.status == Tender.DRAFT else [],
            sealed=IncomingBid.objects.filter(tender=t).exclude(status=IncomingBid.SUPERSEDED).count(),
            closing=closing, open_problem=problem, opened=getattr(t, "opening", None),
            ranking=evaluation.ranking(t), awards=Award.objects.filter(tender=t).select_related("lot", "bid__incoming"),
            lot_form=forms.LotForm(prefix="lot"), criterion_form=forms.CriterionForm(prefix="crit"),
            document_form=forms.DocumentForm(prefix="doc"),
            evaluators_form=forms.EvaluatorsForm(prefix="ev", initial={"evaluators": t.evaluators.all()}),
            amendment_form=forms.AmendmentForm(prefix="am"), answer_form=forms.AnswerForm(prefix="an", tender=t),
            open_form=forms.OpenForm(prefix="op"), contract_form=forms.ContractForm(prefix="ct"),
            cancellations=t.cancellations.select_related("requested_by", "decided_by"),
            pending_cancellation=t.cancellations.filter(status="pending").first(),
            cancel_form=forms.CancellationForm(prefix="cx"), cancel_decision_form=forms.CancellationDecisionForm(
                prefix="cd"), can_cancel=t.status in cancellation.CANCELLABLE,
            can_manage=self.request.user.has_perm(publishing.MANAGE),
            can_open=self.request.user.has_perm(opening.OPEN),
            is_evaluator=t.evaluators.filter(pk=self.request.user.pk).exists(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise Http404
        try:
            handler(request)
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        return redirect("procurement_admin:tender", pk=self.tender.pk)

    def _draft(self, request):
        publishing.require(request.user, publishing.MANAGE)
        if self.tender.status != Tender.DRAFT:
            raise ValidationError(_("A published tender is changed by amendments."))

    def do_lot(self, request):
        self._draft(request)
        form = forms.LotForm(request.POST, prefix="lot", instance=forms.LotForm._meta.model(tender=self.tender))
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        form.save()

    def do_criterion(self, request):
        self._draft(request)
        form = forms.CriterionForm(request.POST, prefix="crit",
                                   instance=forms.CriterionForm._meta.model(tender=self.tender))
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        form.save()

    def do_document(self, request):
        self._draft(request)
        form = forms.DocumentForm(request.POST, request.FILES, prefix="doc")
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        publishing.add_document(self.tender, form.cleaned_data["title"], form.cleaned_data["file"], request.user)

    def do_evaluators(self, request):
        publishing.require(request.user, publishing.MANAGE)
        form = forms.EvaluatorsForm(request.POST, prefix="ev")
        if form.is_valid():
            self.tender.evaluators.set(form.cleaned_data["evaluators"])

    def do_publish(self, request):
        publishing.publish(self.tender, request.user)
        messages.success(request, _("The tender was published with its own bid-opening key; the notice is queued "
                                    "for the portal."))

    def do_amend(self, request):
        form = forms.AmendmentForm(request.POST, request.FILES, prefix="am")
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        d = form.cleaned_data
        docs = [(d["document_title"] or d["document"].name, d["document"])] if d.get("document") else []
        publishing.amend(self.tender, request.user, title=d["title"], description=d["description"],
                         affects_bids=d["affects_bids"], new_bid_deadline=d["new_bid_deadline"],
                         new_opening_at=d["new_opening_at"], reason=d["reason"], documents=docs)
        messages.success(request, _("The amendment was published."))

    def do_answer(self, request):
        form = forms.AnswerForm(request.POST, prefix="an", tender=self.tender)
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        publishing.answer(self.tender, request.user, question=form.cleaned_data["question"],
                          answer_text=form.cleaned_data["answer"], questions=form.cleaned_data["questions"])
        messages.success(request, _("The clarification was published."))

    def do_open(self, request):
        form = forms.OpenForm(request.POST, prefix="op")
        if not form.is_valid():
            raise ValidationError(_("Enter your one-time password."))
        try:
            opening.open_bids(self.tender, request.user, form.cleaned_data["token"])
        except PermissionDenied as exc:
            raise ValidationError(str(exc) or _("Only bid openers may open bids.")) from None
        messages.success(request, _("The bids were opened; the opening record is queued for the portal."))

    def do_award(self, request):
        choices = {}
        for key, value in request.POST.items():
            if key.startswith("lot-") and value:
                bid = get_object_or_404(OpenedBid, pk=value, opening__tender=self.tender)
                choices[int(key[4:])] = bid
        evaluation.award(self.tender, request.user, choices)
        messages.success(request, _("The award notice was published."))

    def do_cancel(self, request):
        form = forms.CancellationForm(request.POST, prefix="cx")
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        cancellation.request(self.tender, request.user, kind=form.cleaned_data["kind"],
                             reason=form.cleaned_data["reason"])
        messages.success(request, _("The cancellation was requested; another manager must approve it."))

    def do_cancel_decide(self, request):
        form = forms.CancellationDecisionForm(request.POST, prefix="cd")
        row = get_object_or_404(self.tender.cancellations, pk=request.POST.get("cancellation"))
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        try:
            row = cancellation.decide(row, request.user, approve=form.cleaned_data["decision"] == "approve",
                                      comment=form.cleaned_data["comment"])
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None
        if row.status == row.APPROVED:
            messages.success(request, _("The tender was cancelled; the termination notice is queued for the portal."))
        else:
            messages.success(request, _("The cancellation was rejected; the tender continues."))

    def do_contract(self, request):
        form = forms.ContractForm(request.POST, prefix="ct")
        award = get_object_or_404(Award, pk=request.POST.get("award"), tender=self.tender)
        if not form.is_valid():
            raise ValidationError([f"{k}: {v[0]}" for k, v in form.errors.items()])
        evaluation.record_contract(award, request.user, **form.cleaned_data)
        messages.success(request, _("The contract was recorded."))


class PlanView(WagtailAdminTemplateMixin, TemplateView):
    """A plan with the indicator it draws on, and its approval."""

    template_name = "procurement/plan.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not _any_perm(request.user):
            raise PermissionDenied
        self.plan = get_object_or_404(ProcurementPlan.objects.select_related("indicator__agency", "agency"),
                                      pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.plan.year} {self.plan.title}"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(plan=self.plan, indicator=self.plan.indicator, tenders=self.plan.tenders.all(),
                   can_manage=self.request.user.has_perm(publishing.MANAGE),
                   edit_url=reverse("procurement_plans:edit", args=[self.plan.pk]))
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            plans.approve(self.plan, request.user)
            messages.success(request, _("The procurement plan was approved."))
        except (ValidationError, PermissionDenied) as exc:
            for m in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
                messages.error(request, m)
        return redirect("procurement_admin:plan", pk=self.plan.pk)


class EvaluationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "procurement/evaluation.html"
    page_title = gettext_lazy("Evaluation")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        self.tender = get_object_or_404(Tender, pk=kwargs["pk"])
        if not _any_perm(request.user, ("procurement.evaluate_bids", "procurement.manage_tenders")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        sheet = self.tender.sheets.filter(evaluator=user).first()
        scores = evaluation.visible_scores(self.tender, user)
        own = {(s.bid_id, s.criterion_id): s.value for s in scores if s.sheet.evaluator_id == user.pk}
        bids = list(evaluation.valid_bids(self.tender))
        criteria = list(self.tender.criteria.all())
        rows = [{"bid": b, "cells": [{"criterion": c, "value": own.get((b.pk, c.pk), "")} for c in criteria]}
                for b in bids]
        ctx.update(tender=self.tender, sheet=sheet, rows=rows, criteria=criteria,
                   others=[s for s in scores if s.sheet.evaluator_id != user.pk],
                   is_evaluator=self.tender.evaluators.filter(pk=user.pk).exists(),
                   ranking=evaluation.ranking(self.tender))
        return ctx

    def post(self, request, *args, **kwargs):
        values = {}
        try:
            for key, raw in request.POST.items():
                if key.startswith("s-") and raw.strip():
                    _prefix, bid_pk, criterion_pk = key.split("-")
                    values[(int(bid_pk), int(criterion_pk))] = Decimal(raw.strip())
            evaluation.save_scores(self.tender, request.user, values)
            if request.POST.get("submit") == "1":
                evaluation.submit_sheet(self.tender, request.user)
                messages.success(request, _("Your scores are submitted."))
            else:
                messages.success(request, _("Your scores are saved."))
        except (ValidationError, InvalidOperation, ValueError) as exc:
            for m in _errors(exc) if isinstance(exc, ValidationError) else [_("Scores must be numbers.")]:
                messages.error(request, m)
        return redirect("procurement_admin:evaluate", pk=self.tender.pk)


class RegistrationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "procurement/registration.html"
    page_title = gettext_lazy("Supplier registration")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("procurement.review_suppliers"):
            raise PermissionDenied
        self.registration = get_object_or_404(SupplierRegistration, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(reg=self.registration, form=forms.ReviewForm())
        return ctx

    def post(self, request, *args, **kwargs):
        form = forms.ReviewForm(request.POST)
        if form.is_valid():
            try:
                publishing.review_supplier(self.registration, request.user,
                                           approve=form.cleaned_data["decision"] == "approve",
                                           note=form.cleaned_data["note"])
                messages.success(request, _("The review result is queued for the portal."))
            except ValidationError as exc:
                for m in _errors(exc):
                    messages.error(request, m)
        return redirect("procurement_admin:registration", pk=self.registration.pk)


def registration_file(request, pk):
    if not request.user.has_perm("procurement.review_suppliers"):
        raise PermissionDenied
    f = get_object_or_404(RegistrationFile, pk=pk)
    return FileResponse(f.file.open("rb"), as_attachment=True, filename=f.title, content_type=f.media_type)


def opened_file(request, pk, index):
    bid = get_object_or_404(OpenedBid, pk=pk)
    tender = bid.opening.tender
    allowed = request.user.has_perm("procurement.manage_tenders") or request.user.has_perm(opening.OPEN) or \
        tender.evaluators.filter(pk=request.user.pk).exists()
    if not allowed:
        raise PermissionDenied
    facts = next((f for f in bid.files if f["stored"] and f["stored"].endswith(f"f{index:02d}")), None)
    if facts is None:
        raise Http404
    return FileResponse(open(procurement_root() / facts["stored"], "rb"), as_attachment=True,  # noqa: SIM115
                        filename=facts["name"], content_type=facts["media_type"])


def ocds_download(request, pk, kind):
    if not _any_perm(request.user):
        raise PermissionDenied
    tender = get_object_or_404(Tender, pk=pk)
    if not tender.ocds_releases.exists():
        raise Http404
    data = ocds.release_package(tender) if kind == "releases" else ocds.record_package(tender)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{tender.tender_id}-ocds-{kind}.json"'
    return response

