"""The supplier account area (under /supplier/, password + OTP required by middleware)."""

from __future__ import annotations

import base64
import json
import logging
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFilesSent
from django.http import FileResponse, Http404, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from extranet.procurement import clock, sealing
from extranet.procurement.forms import BidForm, QuestionForm, ResubmissionForm
from extranet.procurement.models import Bid, Supplier, Tender, TenderDocument
from extranet.procurement.sealing import BidUploadHandler, SealingError
from extranet.procurement.services import bids, suppliers

log = logging.getLogger(__name__)


def _supplier(request) -> Supplier:
    supplier = getattr(request.user, "supplier", None)
    if supplier is None:
        raise PermissionDenied
    return supplier


def dashboard(request):
    supplier = getattr(request.user, "supplier", None)
    if supplier is None:
        return render(request, "supplier_portal/not_a_supplier.html", status=403)
    context = {
        "supplier": supplier,
        "bids": supplier.bids.select_related("tender").order_by("-pk"),
        "notifications": supplier.notifications.all()[:20],
        "questions": supplier.questions.select_related("tender", "answer")[:20],
        "open_tenders": Tender.objects.filter(bid_deadline__gt=clock.now(), cancellation__isnull=True)[:20],
    }
    return render(request, "supplier_portal/dashboard.html", context)


def resubmit(request):
    supplier = _supplier(request)
    if supplier.status != Supplier.REJECTED:
        messages.info(request, _("Only a registration that was not approved can be corrected and resubmitted."))
        return redirect("supplier_portal:dashboard")
    form = ResubmissionForm(request.POST or None, request.FILES or None, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            suppliers.resubmit(supplier, form.cleaned_data, form.cleaned_data["files"], request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your corrected registration was sent; the bureau will review it again."))
        return redirect("supplier_portal:dashboard")
    return render(request, "supplier_portal/resubmit.html", {"form": form, "supplier": supplier})


def document(request, tender_id, pk):
    supplier = _supplier(request)
    doc = get_object_or_404(TenderDocument, pk=pk, tender__tender_id=tender_id)
    if not supplier.approved:
        messages.error(request, _("Tender documents are available to approved suppliers."))
        return redirect("procurement_public:tender", tender_id=tender_id)
    suppliers.participate(doc.tender, supplier)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.file.name.rsplit("/", 1)[-1][17:]
                        or doc.title, content_type=doc.media_type)


@require_POST
def ask(request, tender_id):
    supplier = _supplier(request)
    tender = get_object_or_404(Tender, tender_id=tender_id)
    form = QuestionForm(request.POST)
    if not supplier.approved:
        messages.error(request, _("Only approved suppliers can ask questions."))
    elif form.is_valid():
        try:
            suppliers.ask(tender, supplier, form.cleaned_data["text"])
            messages.success(request, _("Your question was sent. The answer will be published on the tender page "
                                        "without your name."))
        except ValueError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Please write your question (at most 4000 characters)."))
    return redirect("procurement_public:tender", tender_id=tender_id)


def _session_still_valid(request) -> bool:
    """The session may expire (or be logged out elsewhere) while a long upload runs."""
    key = request.session.session_key
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return str(store.load().get("_auth_user_id", "")) == str(request.user.pk)


def _bid_page(request, tender, supplier, form, *, error=None, status=200):
    context = {"tender": tender, "supplier": supplier, "form": form, "error": error,
               "existing": supplier.bids.filter(tender=tender), "refusal": bids.refusal(tender, supplier),
               "max_mb": sealing.max_file_bytes() // (1024 * 1024), "max_files": sealing.max_files()}
    return render(request, "supplier_portal/bid_form.html", context, status=status)


@csrf_exempt  # the CSRF token is checked below, once the streaming handler has parsed the body
@sensitive_post_parameters("price")
def bid(request, tender_id):
    supplier = _supplier(request)
    tender = get_object_or_404(Tender, tender_id=tender_id)
    if request.method != "POST":
        return csrf_protect(lambda r: _bid_page(r, tender, supplier, BidForm(tender=tender)))(request)
    refusal = bids.refusal(tender, supplier)
    if refusal:
        return _bid_page(request, tender, supplier, BidForm(tender=tender), error=refusal, status=409)
    handler = BidUploadHandler(request, key_file=bids.key_file(tender), deadline=tender.bid_deadline)
    request.upload_handlers = [handler]
    try:
        try:
            request.POST  # noqa: B018  (parses the body through the sealing handler)
        except (UnreadablePostError, MultiPartParserError, RequestDataTooBig, TooManyFilesSent, OSError) as exc:
            log.info("bid upload for %s broke off: %s", tender_id, exc)
            handler.upload_interrupted()
        if handler.error:  # nothing is stored, so no CSRF check is needed to say why
            return _bid_page(request, tender, supplier, BidForm(tender=tender), error=handler.error.message,
                             status=413 if handler.error.code == "too_large" else 400)
        return csrf_protect(lambda r: _accept_bid(r, tender, supplier, handler))(request)
    finally:
        handler.discard()


def _accept_bid(request, tender, supplier, handler: BidUploadHandler):
    form = BidForm(request.POST or None, tender=tender)
    if not _session_still_valid(request):
        return _bid_page(request, tender, supplier, BidForm(tender=tender), status=401,
                         error=_("Your session expired during the upload; the bid was not stored. "
                                 "Please log in again and resubmit."))
    if not handler.sealed:
        form.is_valid()
        return _bid_page(request, tender, supplier, form, error=_("Attach at least one file."), status=400)
    if not form.is_valid():
        return _bid_page(request, tender, supplier, form, error=_("Please correct the fields marked below."),
                         status=400)
    try:
        version = bids.submit(tender.pk, supplier, form.cleaned_data["lot"], form.cleaned_data["price"], handler,
                              actor=request.user)
    except SealingError as exc:
        return _bid_page(request, tender, supplier, form, error=exc.message, status=409)
    messages.success(request, _("Your bid was received and sealed. Keep the signed receipt below."))
    return redirect("supplier_portal:bid_detail", bid_id=version.bid.bid_id)


def _own_bid(request, bid_id) -> Bid:
    supplier = _supplier(request)
    return get_object_or_404(Bid.objects.select_related("tender"), bid_id=bid_id, supplier=supplier)


def bid_detail(request, bid_id):
    bid = _own_bid(request, bid_id)
    versions = list(bid.versions.prefetch_related("files"))
    return render(request, "supplier_portal/bid_detail.html", {
        "bid": bid, "tender": bid.tender, "versions": versions, "current": bid.current(),
        "can_change": bid.tender.accepting_bids(),
        "receipt_json": json.dumps(bid.current().receipt, ensure_ascii=False, indent=1) if bid.version else "",
    })


def receipt(request, bid_id, version, kind):
    bid = _own_bid(request, bid_id)
    bv = bid.versions.filter(version=version).first()
    if bv is None:
        raise Http404
    from exchange import canonical

    if kind == "json":
        response = HttpResponse(canonical.dumps(bv.receipt), content_type="application/json")
        name = f"receipt-{bid.bid_id}-v{version}.json"
    else:
        response = HttpResponse(base64.b64decode(bv.receipt_signature), content_type="application/pgp-signature")
        name = f"receipt-{bid.bid_id}-v{version}.json.sig"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def withdraw(request, bid_id):
    bid = _own_bid(request, bid_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the withdrawal."))
        return redirect("supplier_portal:bid_detail", bid_id=bid_id)
    try:
        bids.withdraw(bid, actor=request.user)
        messages.success(request, _("Your bid was withdrawn. It will not be opened."))
    except SealingError as exc:
        messages.error(request, exc.message)
    return redirect("supplier_portal:bid_detail", bid_id=bid_id)
