"""Payment batches: at most one payment per person, programme and period; money only through the
indicator check (``payments.create_application``), reserved when the batch is submitted.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record, snapshot
from core_finance.money import ZERO
from core_finance.payroll import rules
from core_finance.payroll.rules import deny
from core_finance.payroll.services.calc import fen
from core_finance.services import payments, scope
from core_finance.services.base import clean_text, next_number, not_creator, require_state
from core_finance.subsidies.models import Batch, BatchLine, BatchStatus, Household, LineStatus, Programme

PERIOD_RE = re.compile(r"^(\d{4})(-(H[12]|0[1-9]|1[0-2]))?$")
FIELDS = ["status", "count", "total"]
LIVE = [LineStatus.PENDING, LineStatus.PAID]


def check_period(programme: Programme, period) -> str:
    text = str(period or "").strip().upper()
    match = PERIOD_RE.match(text)
    if not match or int(match.group(1)) != programme.year:
        raise deny("period", _("[Period rule] “%(value)s” is not a period of %(year)s (YYYY, YYYY-H1/H2 or "
                               "YYYY-MM).") % {"value": text[:20], "year": programme.year})
    return text


def amount_for(programme: Programme, household: Household):
    if programme.basis == Programme.Basis.AREA:
        return fen(household.area_mu * programme.standard)
    return programme.standard


def agency_of(programme: Programme):
    return programme.indicator.agency


def reachable(programme: Programme):
    """The households a programme may pay: those of its agency's division and the divisions below
    it (a township's programme pays its own farmers; a county's, the county's and its townships')."""
    return scope.within(Household.objects.all(), agency_of(programme).division)


def create(programme: Programme, period, user, households=None) -> Batch:
    """A draft batch for ``households`` (default: every eligible household not yet paid this period).

    The programme row is locked first, so two clerks building batches at once queue here and the
    second sees the first's lines; the partial unique index is the last line of defence.
    """
    rules.require(user, "finance_subsidies.add_batch", _("prepare subsidy batches"))
    scope.require_agency(user, agency_of(programme))
    period = check_period(programme, period)
    try:
        with transaction.atomic():
            programme = Programme.objects.select_for_update().get(pk=programme.pk)
            if not programme.is_active:
                raise deny("programme_closed", _("[Subsidy rule] programme %(name)s is closed.")
                           % {"name": programme.name})
            paid = set(BatchLine.objects.filter(programme=programme, period=period, status__in=LIVE).values_list(
                "household_id", flat=True))
            if households is None:
                chosen = [h for h in reachable(programme).filter(is_active=True, card_flagged=False).order_by("pk")
                          if h.pk not in paid and amount_for(programme, h) > 0]
            else:
                wanted = {getattr(h, "pk", h) for h in households}
                chosen = list(reachable(programme).filter(pk__in=wanted).order_by("pk"))
                if len(chosen) != len(wanted):
                    raise deny("division", _("[Division rule] some of the households do not belong to the "
                                             "divisions of %(programme)s.") % {"programme": programme.name})
                twice = [h.head_name for h in chosen if h.pk in paid]
                if twice:
                    raise deny("double_subsidy", _("[No double subsidy rule] already paid or in another batch for "
                                                   "%(programme)s %(period)s: %(names)s.")
                               % {"programme": programme.name, "period": period, "names": "、".join(twice[:20])})
                flagged = [h.head_name for h in chosen if h.card_flagged or not h.is_active]
                if flagged:
                    raise deny("card_flagged", _("[Subsidy rule] the card of %(names)s was returned by the bank or "
                                                 "the household is inactive; correct it first.")
                               % {"names": "、".join(flagged[:20])})
            lines = [(h, amount_for(programme, h)) for h in chosen]
            lines = [(h, a) for h, a in lines if a > 0]
            if not lines:
                raise deny("batch_empty", _("[Subsidy rule] nobody is left to pay for %(programme)s %(period)s.")
                           % {"programme": programme.name, "period": period})
            batch = Batch.objects.create(number=next_number(f"BT{programme.year}"), programme=programme,
                                         period=period, count=len(lines), total=sum((a for _h, a in lines), ZERO),
                                         created_by=user)
            BatchLine.objects.bulk_create([
                BatchLine(batch=batch, programme=programme, period=period, household=h, card_number=h.card_number,
                          amount=a) for h, a in lines])
            record("finance.subsidies.batch.create", batch, after=snapshot(batch, FIELDS), actor=user)
    except IntegrityError:
        raise deny("double_subsidy", _("[No double subsidy rule] already paid or in another batch for "
                                       "%(programme)s %(period)s: %(names)s.")
                   % {"programme": programme.name, "period": period, "names": "—"}) from None
    return batch


def submit(batch: Batch, user) -> Batch:
    """Reserve the batch total on the programme's indicator (refused when it cannot cover it)."""
    rules.require(user, "finance_subsidies.add_batch", _("submit subsidy batches"))
    scope.require_agency(user, agency_of(batch.programme))
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        require_state(batch, [BatchStatus.DRAFT], batch.number, pgettext("workflow action", "submit"))
        programme = batch.programme
        batch.application = payments.create_application(
            indicator=programme.indicator, amount=batch.total, payment_type="5201",
            payee_name=f"{programme.name}“一卡通”代发（{batch.count}户）", payee_account=programme.payout_account,
            payee_bank=programme.payout_bank, purpose=f"{programme.name} {batch.period} 批次{batch.number}",
            user=user)
        batch.status = BatchStatus.SUBMITTED
        batch.save(update_fields=["application", "status"])
        record("finance.subsidies.batch.submit", batch, after=snapshot(batch, FIELDS),
               detail={"application": batch.application.number}, actor=user)
    return batch


def approve(batch: Batch, user) -> Batch:
    rules.require(user, "finance_subsidies.approve_batch", _("approve subsidy batches"))
    scope.require_agency(user, agency_of(batch.programme))
    not_creator(batch.created_by_id, user, batch.number)
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        require_state(batch, [BatchStatus.SUBMITTED], batch.number, pgettext("workflow action", "approve"))
        payments.approve(batch.application, user)
        batch.status, batch.decided_by = BatchStatus.APPROVED, user
        batch.save(update_fields=["status", "decided_by"])
        record("finance.subsidies.batch.approve", batch, after=snapshot(batch, FIELDS), actor=user)
    return batch


def reject(batch: Batch, user, comment: str) -> Batch:
    """Return the batch: the reservation is released and its people may be paid in another batch."""
    rules.require(user, "finance_subsidies.approve_batch", _("return subsidy batches"))
    scope.require_agency(user, agency_of(batch.programme))
    not_creator(batch.created_by_id, user, batch.number)
    comment = clean_text(comment, _("comment"), 300)
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        require_state(batch, [BatchStatus.SUBMITTED, BatchStatus.DRAFT], batch.number,
                      pgettext("workflow action", "reject"))
        if batch.application_id:
            payments.reject(batch.application, user, comment)
        batch.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.VOID)
        batch.status, batch.decided_by, batch.comment = BatchStatus.REJECTED, user, comment
        batch.save(update_fields=["status", "decided_by", "comment"])
        record("finance.subsidies.batch.reject", batch, detail={"comment": comment}, actor=user)
    return batch
