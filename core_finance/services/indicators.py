"""Indicators: issue (下达), adjustments, transfers (调剂), freezes, carry-over, reservations.

Every change appends an ``IndicatorTransaction`` and updates the cached ``balance``/``budget``
of the indicator row, which is locked with ``select_for_update()`` for the whole transaction, so
parallel requests see each other's reservations and the balance can never go below zero.
Lock order everywhere: indicators (by id) → plans → number sequences → ledger → audit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record, snapshot
from core_finance.errors import refuse
from core_finance.models import (
    AdjustmentKind,
    BudgetStatus,
    BudgetVersion,
    CodeTable,
    DecisionStatus,
    Indicator,
    IndicatorAdjustment,
    IndicatorTransaction,
    TxKind,
)
from core_finance.models.indicators import BUDGET_KINDS, COUNTED
from core_finance.money import ZERO, MoneyField, to_money
from core_finance.services import ledger, scope
from core_finance.services.base import clean_text, next_number, not_creator, require_perm, require_state
from core_finance.services.codes import gov_code_for, leaf_code

FIELDS = ["number", "balance", "budget", "amount"]


def lock(indicator_id: int) -> Indicator:
    return Indicator.objects.select_for_update().get(pk=indicator_id)


def lock_many(ids) -> dict[int, Indicator]:
    return {i.pk: i for i in Indicator.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")}


def _apply_effect(ind: Indicator, kind: str, effect: Decimal) -> None:
    """Change the cached columns of a locked indicator by a newly counted effect."""
    if effect < 0 and ind.balance + effect < 0:
        raise refuse("indicator_overspend", indicator=ind.number, available=ind.balance, amount=-effect)
    ind.balance += effect
    if kind in BUDGET_KINDS:
        ind.budget += effect


def append(ind: Indicator, kind: str, amount, *, sign: int, status: str, user, **links) -> IndicatorTransaction:
    """Append one transaction to a locked indicator and update its caches."""
    amount = to_money(amount, positive=True)
    effect = amount if sign > 0 else -amount
    counted = status != DecisionStatus.REJECTED and (effect < 0 or status == DecisionStatus.APPROVED)
    if counted:
        _apply_effect(ind, kind, effect)
        ind.save(update_fields=["balance", "budget"])
    decided = timezone.now() if status == DecisionStatus.APPROVED else None
    return IndicatorTransaction.objects.create(indicator=ind, kind=kind, amount=amount, effect=effect, status=status,
                                               created_by=user, decided_at=decided, **links)


def decide(tx: IndicatorTransaction, ind: Indicator, approved: bool) -> None:
    """Settle a pending transaction of a locked indicator."""
    if tx.status != DecisionStatus.PENDING:
        raise refuse("state", document=str(tx), state=tx.get_status_display(), action=pgettext("workflow action", "decide"))
    if approved and tx.effect > 0:
        _apply_effect(ind, tx.kind, tx.effect)
    elif not approved and tx.effect < 0:
        _apply_effect(ind, tx.kind, -tx.effect)
    ind.save(update_fields=["balance", "budget"])
    tx.status = DecisionStatus.APPROVED if approved else DecisionStatus.REJECTED
    tx.decided_at = timezone.now()
    tx.save(update_fields=["status", "decided_at"])


# --- derived figures ----------------------------------------------------------------------------

def derived(indicator_id: int) -> dict:
    """The balance and budget recomputed from the transactions (what the caches must equal)."""
    counted = IndicatorTransaction.objects.filter(COUNTED, indicator_id=indicator_id)
    totals = counted.aggregate(balance=Sum("effect"), budget=Sum("effect", filter=Q(kind__in=BUDGET_KINDS)))
    return {"balance": totals["balance"] or ZERO, "budget": totals["budget"] or ZERO}


def breakdown(ind: Indicator) -> dict:
    """available = amount + adds − decreases − transfers out − frozen − applied, from the transactions."""
    def total(*kinds):
        return Sum(Case(When(kind__in=kinds, then="amount"), default=Value(ZERO), output_field=MoneyField(signed=True)))

    sums = IndicatorTransaction.objects.filter(COUNTED, indicator=ind).aggregate(
        t_amount=total(TxKind.ISSUE, TxKind.TRANSFER_IN, TxKind.CARRY_IN), t_adds=total(TxKind.ADD),
        t_decreases=total(TxKind.DECREASE), t_out=total(TxKind.TRANSFER_OUT, TxKind.CARRY_OUT),
        t_frozen=total(TxKind.FREEZE), t_unfrozen=total(TxKind.UNFREEZE), t_applied=total(TxKind.APPLY),
        t_restored=total(TxKind.RETURN, TxKind.REFUND))
    s = {k: v or ZERO for k, v in sums.items()}
    out = {"amount": s["t_amount"], "adds": s["t_adds"], "decreases": s["t_decreases"], "transfers_out": s["t_out"],
           "frozen": s["t_frozen"] - s["t_unfrozen"], "applied": s["t_applied"] - s["t_restored"]}
    out["available"] = (out["amount"] + out["adds"] - out["decreases"] - out["transfers_out"] - out["frozen"]
                        - out["applied"])
    pending = IndicatorTransaction.objects.filter(indicator=ind, status=DecisionStatus.PENDING)
    out["pending_decreases"] = pending.filter(effect__lt=0).aggregate(s=Sum("amount"))["s"] or ZERO
    out["pending_increases"] = pending.filter(effect__gt=0).aggregate(s=Sum("amount"))["s"] or ZERO
    return out


# --- issuing ------------------------------------------------------------------------------------

def _new_indicator(*, year, agency, functional, dept_econ, funding, doc_number, amount, user, source=None,
                   project=None, budget_line=None, note="") -> Indicator:
    functional = leaf_code(CodeTable.FUNCTIONAL, year, functional)
    dept_econ = leaf_code(CodeTable.DEPT_ECONOMIC, year, dept_econ)
    funding = leaf_code(CodeTable.FUNDING, year, funding)
    gov = gov_code_for(dept_econ)
    return Indicator.objects.create(
        number=next_number(f"ZB{year}"), year=year, agency=agency, functional=functional, dept_econ=dept_econ,
        gov_econ=gov, funding=funding, doc_number=doc_number, amount=amount, created_by=user, source=source,
        project=project, budget_line=budget_line, note=note[:200])


def issue(*, year: int, agency, functional, dept_econ, funding, amount, doc_number: str, user, project=None,
          budget_line=None, note: str = "") -> Indicator:
    """Issue (下达) one indicator with its document number."""
    require_perm(user, "issue_indicator", _("issue indicators"))
    scope.require_agency(user, agency)
    amount = to_money(amount, positive=True)
    doc_number = clean_text(doc_number, _("document number (文号)"), 100)
    with transaction.atomic():
        ind = _new_indicator(year=year, agency=agency, functional=functional, dept_econ=dept_econ, funding=funding,
                             doc_number=doc_number, amount=amount, user=user, project=project,
                             budget_line=budget_line, note=note)
        append(ind, TxKind.ISSUE, amount, sign=1, status=DecisionStatus.APPROVED, user=user, doc_number=doc_number)
        ledger.post(_("Indicator %(number)s issued, %(doc)s") % {"number": ind.number, "doc": doc_number},
                    [ledger.dr(ledger.AVAILABLE, amount, agency.pk, ind.pk), ledger.cr(ledger.SOURCE, amount, agency.pk)],
                    source=f"indicator:{ind.pk}", user=user)
        record("finance.indicator.issue", ind, after=snapshot(ind, FIELDS), detail={"doc_number": doc_number},
               actor=user)
    return ind


def issue_from_budget(version: BudgetVersion, doc_number: str, user) -> list[Indicator]:
    """Turn every line of an approved budget into an indicator (each references its budget line)."""
    require_perm(user, "issue_indicator", _("issue indicators"))
    scope.require_agency(user, version.agency)
    doc_number = clean_text(doc_number, _("document number (文号)"), 100)
    with transaction.atomic():
        version = BudgetVersion.objects.select_for_update().get(pk=version.pk)
        require_state(version, [BudgetStatus.APPROVED], str(version), pgettext("workflow action", "issue"))
        if version.indicators_issued:
            raise refuse("state", document=str(version), state=_("indicators issued"), action=pgettext("workflow action", "issue"))
        created, lines = [], []
        for line in version.lines.select_related("functional", "dept_econ", "funding", "project"):
            ind = _new_indicator(year=version.year, agency=version.agency, functional=line.functional,
                                 dept_econ=line.dept_econ, funding=line.funding, doc_number=doc_number,
                                 amount=line.amount, user=user, project=line.project, budget_line=line)
            append(ind, TxKind.ISSUE, line.amount, sign=1, status=DecisionStatus.APPROVED, user=user,
                   doc_number=doc_number)
            created.append(ind)
            lines += [ledger.dr(ledger.AVAILABLE, line.amount, version.agency_id, ind.pk),
                      ledger.cr(ledger.SOURCE, line.amount, version.agency_id)]
        if not created:
            raise refuse("budget_empty")
        version.indicators_issued = True
        version.save(update_fields=["indicators_issued"])
        ledger.post(_("Indicators issued from %(version)s, %(doc)s") % {"version": version, "doc": doc_number},
                    lines, source=f"budget:{version.pk}", user=user)
        record("finance.indicator.issue_from_budget", version,
               detail={"doc_number": doc_number, "indicators": [i.number for i in created]}, actor=user)
    return created


# --- adjustments (need a second person) ---------------------------------------------------------

def request_adjustment(kind: str, indicator: Indicator, amount, doc_number: str, user, *, reason: str = "",
                       target: Indicator | None = None, target_agency=None, target_functional=None,
                       target_dept_econ=None) -> IndicatorAdjustment:
    """Request 追加/追减/调剂. A decrease or transfer-out reserves the amount at once."""
    require_perm(user, "adjust_indicator", _("request indicator adjustments"))
    scope.require_agency(user, indicator.agency)
    for other in (target.agency if target is not None else None, target_agency):
        if other is not None:
            scope.require_agency(user, other)
    amount = to_money(amount, positive=True)
    doc_number = clean_text(doc_number, _("document number (文号)"), 100)
    if kind not in AdjustmentKind.values:
        raise refuse("transfer_invalid", problem=_("unknown adjustment kind"))
    with transaction.atomic():
        ind = lock(indicator.pk)
        extra = {}
        if kind == AdjustmentKind.TRANSFER:
            extra = _transfer_target(ind, target, target_agency, target_functional, target_dept_econ)
        adj = IndicatorAdjustment.objects.create(kind=kind, indicator=ind, amount=amount, doc_number=doc_number,
                                                 reason=reason, created_by=user, **extra)
        if kind == AdjustmentKind.ADD:
            append(ind, TxKind.ADD, amount, sign=1, status=DecisionStatus.PENDING, user=user, adjustment=adj,
                   doc_number=doc_number)
        elif kind == AdjustmentKind.DECREASE:
            append(ind, TxKind.DECREASE, amount, sign=-1, status=DecisionStatus.PENDING, user=user, adjustment=adj,
                   doc_number=doc_number)
        else:
            append(ind, TxKind.TRANSFER_OUT, amount, sign=-1, status=DecisionStatus.PENDING, user=user,
                   adjustment=adj, doc_number=doc_number, counterpart=adj.target)
        record("finance.indicator.adjustment_request", adj,
               detail={"kind": kind, "amount": amount, "indicator": ind.number, "doc_number": doc_number}, actor=user)
    return adj


def _transfer_target(ind, target, agency, functional, dept_econ) -> dict:
    if target is not None:
        if target.pk == ind.pk:
            raise refuse("transfer_invalid", problem=_("the source and the target are the same indicator"))
        if target.year != ind.year:
            raise refuse("year_mismatch", what=str(target), other=target.year, year=ind.year)
        return {"target": target}
    functional = leaf_code(CodeTable.FUNCTIONAL, ind.year, functional or ind.functional)
    dept_econ = leaf_code(CodeTable.DEPT_ECONOMIC, ind.year, dept_econ or ind.dept_econ)
    gov_code_for(dept_econ)
    agency = agency or ind.agency
    if (agency.pk, functional.pk, dept_econ.pk) == (ind.agency_id, ind.functional_id, ind.dept_econ_id):
        raise refuse("transfer_invalid", problem=_("a transfer must change the agency or a classification"))
    return {"target_agency": agency, "target_functional": functional, "target_dept_econ": dept_econ}


def decide_adjustment(adj: IndicatorAdjustment, user, approve: bool, comment: str = "") -> IndicatorAdjustment:
    require_perm(user, "approve_indicatoradjustment", _("approve indicator adjustments"))
    scope.require_agency(user, adj.indicator.agency)
    not_creator(adj.created_by_id, user, str(adj))
    if not approve and not (comment or "").strip():
        raise refuse("comment_required")
    with transaction.atomic():
        adj = IndicatorAdjustment.objects.select_for_update().get(pk=adj.pk)
        require_state(adj, [DecisionStatus.PENDING], str(adj), pgettext("workflow action", "decide"))
        ids = [adj.indicator_id] + ([adj.target_id] if adj.target_id else [])
        locked = lock_many(ids)
        source = locked[adj.indicator_id]
        lines = []
        for tx in adj.transactions.filter(status=DecisionStatus.PENDING):
            decide(tx, source, approve)
        child = None
        if approve:
            agency_id = source.agency_id
            if adj.kind == AdjustmentKind.ADD:
                lines = [ledger.dr(ledger.AVAILABLE, adj.amount, agency_id, source.pk),
                         ledger.cr(ledger.SOURCE, adj.amount, agency_id)]
            elif adj.kind == AdjustmentKind.DECREASE:
                lines = [ledger.dr(ledger.SOURCE, adj.amount, agency_id),
                         ledger.cr(ledger.AVAILABLE, adj.amount, agency_id, source.pk)]
            else:
                target = locked.get(adj.target_id) if adj.target_id else None
                if target is None:
                    child = target = _new_indicator(
                        year=source.year, agency=adj.target_agency, functional=adj.target_functional,
                        dept_econ=adj.target_dept_econ, funding=source.funding, doc_number=adj.doc_number,
                        amount=adj.amount, user=user, source=source, project=source.project)
                append(target, TxKind.TRANSFER_IN, adj.amount, sign=1, status=DecisionStatus.APPROVED, user=user,
                       adjustment=adj, counterpart=source, doc_number=adj.doc_number)
                lines = [ledger.dr(ledger.AVAILABLE, adj.amount, target.agency_id, target.pk),
                         ledger.cr(ledger.AVAILABLE, adj.amount, agency_id, source.pk)]
        adj.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        adj.decided_by, adj.decided_at, adj.comment = user, timezone.now(), comment
        adj.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        if lines:
            ledger.post(_("%(kind)s %(doc)s") % {"kind": adj.get_kind_display(), "doc": adj.doc_number}, lines,
                        source=f"adjustment:{adj.pk}", user=user)
        record("finance.indicator.adjustment_" + ("approve" if approve else "reject"), adj,
               detail={"comment": comment, "child": child.number if child else None}, actor=user)
    return adj


# --- freezes and carry-over ---------------------------------------------------------------------

def freeze(indicator: Indicator, amount, user, doc_number: str = "", unfreeze: bool = False) -> IndicatorTransaction:
    require_perm(user, "freeze_indicator", _("freeze and unfreeze indicators"))
    scope.require_agency(user, indicator.agency)
    amount = to_money(amount, positive=True)
    with transaction.atomic():
        ind = lock(indicator.pk)
        if unfreeze:
            frozen = breakdown(ind)["frozen"]
            if amount > frozen:
                raise refuse("unfreeze_exceeds", amount=amount, frozen=frozen)
            tx = append(ind, TxKind.UNFREEZE, amount, sign=1, status=DecisionStatus.APPROVED, user=user,
                        doc_number=doc_number)
            lines = [ledger.dr(ledger.AVAILABLE, amount, ind.agency_id, ind.pk),
                     ledger.cr(ledger.FROZEN, amount, ind.agency_id, ind.pk)]
        else:
            tx = append(ind, TxKind.FREEZE, amount, sign=-1, status=DecisionStatus.APPROVED, user=user,
                        doc_number=doc_number)
            lines = [ledger.dr(ledger.FROZEN, amount, ind.agency_id, ind.pk),
                     ledger.cr(ledger.AVAILABLE, amount, ind.agency_id, ind.pk)]
        ledger.post(f"{tx.get_kind_display()} {ind.number}", lines, source=f"indicator:{ind.pk}", user=user)
        record("finance.indicator." + ("unfreeze" if unfreeze else "freeze"), ind,
               detail={"amount": amount, "doc_number": doc_number}, actor=user)
    return tx


def carry_over(indicator: Indicator, to_year: int, doc_number: str, user) -> Indicator:
    """Move the whole available balance into a new indicator of ``to_year`` that keeps its source."""
    require_perm(user, "freeze_indicator", _("carry over indicators"))
    scope.require_agency(user, indicator.agency)
    doc_number = clean_text(doc_number, _("document number (文号)"), 100)
    if to_year != indicator.year + 1:
        raise refuse("carry_over", problem=_("indicators carry over into the following year only"))
    with transaction.atomic():
        ind = lock(indicator.pk)
        amount = ind.balance
        if amount <= 0:
            raise refuse("carry_over", problem=_("nothing is available to carry over"))
        new = _new_indicator(year=to_year, agency=ind.agency, functional=ind.functional.code,
                             dept_econ=ind.dept_econ.code, funding=ind.funding.code, doc_number=doc_number,
                             amount=amount, user=user, source=ind, project=None, note=_("carried over"))
        append(ind, TxKind.CARRY_OUT, amount, sign=-1, status=DecisionStatus.APPROVED, user=user, counterpart=new,
               doc_number=doc_number)
        append(new, TxKind.CARRY_IN, amount, sign=1, status=DecisionStatus.APPROVED, user=user, counterpart=ind,
               doc_number=doc_number)
        ledger.post(_("Carry-over %(old)s → %(new)s") % {"old": ind.number, "new": new.number},
                    [ledger.dr(ledger.AVAILABLE, amount, new.agency_id, new.pk),
                     ledger.cr(ledger.AVAILABLE, amount, ind.agency_id, ind.pk)],
                    source=f"indicator:{ind.pk}", user=user)
        record("finance.indicator.carry_over", new, detail={"from": ind.number, "amount": amount}, actor=user)
    return new
