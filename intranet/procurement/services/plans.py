"""Approving procurement plans against the budget indicator they draw on (core finance)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record, snapshot
from core_finance.services import indicators
from intranet.procurement import clock
from intranet.procurement.models import ProcurementPlan
from intranet.procurement.services.publishing import MANAGE, require


def approve(plan: ProcurementPlan, user) -> ProcurementPlan:
    """Approve a plan whose budget fits the indicator's available balance now.

    The indicator row is locked first (the lock order of core finance: indicators, then the
    documents that draw on them), so a concurrent payment cannot slip between check and approval.
    """
    require(user, MANAGE)
    with transaction.atomic():
        if plan.indicator_id is None:
            raise ValidationError(_("Choose the budget indicator the purchase draws on."))
        indicator = indicators.lock(plan.indicator_id)
        plan = ProcurementPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != ProcurementPlan.DRAFT:
            raise ValidationError(_("Only a plan awaiting approval can be approved."))
        if plan.created_by_id == user.pk:
            raise PermissionDenied(_("The person who entered a plan cannot approve it."))
        if indicator.agency_id != plan.agency_id or indicator.year != plan.year:
            raise ValidationError(_("The indicator must belong to the purchasing agency and the plan's fiscal year."))
        if plan.budget_amount > indicator.balance:
            raise ValidationError(
                _("The plan's budget of %(budget)s yuan exceeds the available balance of indicator %(number)s "
                  "(%(balance)s yuan); the plan cannot be approved.")
                % {"budget": f"{plan.budget_amount:,.2f}", "number": indicator.number,
                   "balance": f"{indicator.balance:,.2f}"})
        before = snapshot(plan, ["status"])
        plan.status, plan.approved_by, plan.approved_at = ProcurementPlan.APPROVED, user, clock.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
        record("procurement.plan.approved", plan, actor=user, before=before, after=snapshot(plan, ["status"]),
               detail={"indicator": indicator.number, "balance": str(indicator.balance),
                       "budget": str(plan.budget_amount)})
    return plan


def tender_budget_problem(tender) -> str | None:
    """Why the tender's budget or plan does not allow publication, or None."""
    plan = tender.plan
    if plan is None:
        return None
    if plan.status == ProcurementPlan.DRAFT:
        return _("The procurement plan has not been approved yet.")
    if tender.budget > plan.budget_amount:
        return _("The tender's budget (%(budget)s yuan) exceeds its procurement plan's budget (%(plan)s yuan).") % {
            "budget": f"{tender.budget:,.2f}", "plan": f"{plan.budget_amount:,.2f}"}
    return None
