"""Personnel changes (入职/离职/调资): requested by the agency, approved by the personnel office.

Only an approved change touches the staff database or the standing amounts, and never for a month
whose payroll run has already gone forward (submitted or approved).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.money import to_money
from core_finance.payroll import rules
from core_finance.payroll.models import (
    Decision,
    PayItem,
    PayrollRun,
    PersonnelChange,
    RunStatus,
    Staff,
    StaffAmount,
    period_label,
)
from core_finance.payroll.rules import deny
from core_finance.services import scope
from core_finance.services.base import clean_text, next_number, not_creator, require_state

Kind = PersonnelChange.Kind


def check_period(period) -> int:
    try:
        value = int(period)
    except (TypeError, ValueError):
        value = 0
    if not (190001 <= value <= 210012 and 1 <= value % 100 <= 12):
        raise deny("period", _("[Period rule] “%(value)s” is not a month in the form YYYYMM.") % {"value": period})
    return value


def _amounts(raw: dict) -> dict:
    """Item code → amount, for active fixed items only."""
    items = {i.code: i for i in PayItem.objects.filter(is_active=True, method=PayItem.Method.FIXED)}
    out = {}
    for code, value in (raw or {}).items():
        if code not in items:
            raise deny("pay_item", _("[Pay item rule] “%(code)s” is not an active fixed pay item.") % {"code": code})
        out[code] = str(to_money(value))
    return out


def _not_after_runs(agency, period: int) -> None:
    run = PayrollRun.objects.filter(agency=agency, period__gte=period).exclude(status=RunStatus.DRAFT).order_by(
        "period").first()
    if run is not None:
        raise deny("run_closed", _("[Payroll rule] the payroll of %(month)s has already been submitted; a change "
                                   "can take effect from a later month only.") % {"month": period_label(run.period)})


def request(agency, kind: str, user, *, effective_from, reason: str, staff: Staff | None = None,
            data: dict | None = None, amounts: dict | None = None) -> PersonnelChange:
    rules.require(user, "finance_payroll.add_personnelchange", _("request personnel changes"))
    scope.require_agency(user, agency)
    period = check_period(effective_from)
    reason = clean_text(reason, _("reason"), 300)
    data = dict(data or {})
    if kind == Kind.HIRE:
        data = {
            "name": clean_text(data.get("name"), pgettext("payroll", "name"), 50),
            "id_number": rules.id_number(data.get("id_number")),
            "position": clean_text(data.get("position"), _("position"), 100),
            "grade": clean_text(data.get("grade"), _("grade"), 50),
            "bank_card": rules.card_number(data.get("bank_card")),
            "bank_name": clean_text(data.get("bank_name"), _("card bank"), 100),
            "username": clean_text(data.get("username"), "", 150, required=False),
        }
        if Staff.objects.filter(id_number=data["id_number"]).exists() or PersonnelChange.objects.filter(
                kind=Kind.HIRE, status=Decision.PENDING, data__id_number=data["id_number"]).exists():
            raise deny("duplicate_person", _("[Staff database rule] the person with identity number %(id)s is "
                                             "already registered or awaiting approval.") % {"id": data["id_number"]})
        data["amounts"] = _amounts(amounts)
        if not data["amounts"]:
            raise deny("field_required", _("[Required field rule] %(field)s is required.")
                       % {"field": _("pay amounts")})
    else:
        if staff is None or staff.agency_id != agency.pk:
            raise deny("field_required", _("[Required field rule] %(field)s is required.") % {"field": _("staff")})
        if staff.left_from is not None:
            raise deny("staff_left", _("[Staff database rule] %(name)s has already left.") % {"name": staff.name})
        if period <= staff.hired_from:
            raise deny("period", _("[Period rule] the change must take effect after the month the person was "
                                   "first paid (%(month)s).") % {"month": period_label(staff.hired_from)})
        if kind == Kind.RAISE:
            data = {"amounts": _amounts(amounts)}
            if not data["amounts"]:
                raise deny("field_required", _("[Required field rule] %(field)s is required.")
                           % {"field": _("pay amounts")})
        elif kind != Kind.LEAVE:
            raise deny("field_required", _("[Required field rule] %(field)s is required.")
                       % {"field": pgettext("payroll", "kind")})
    _not_after_runs(agency, period)
    with transaction.atomic():
        change = PersonnelChange.objects.create(
            number=next_number(f"RS{period // 100}"), agency=agency, kind=kind, staff=staff,
            effective_from=period, data=data, reason=reason, created_by=user)
        record("finance.payroll.change.request", change, after={"kind": kind, "effective_from": period, **{
            k: v for k, v in data.items() if k != "id_number"}}, actor=user)
    return change


def decide(change: PersonnelChange, user, approve: bool, comment: str = "") -> PersonnelChange:
    rules.require(user, "finance_payroll.approve_personnelchange", _("approve personnel changes"))
    scope.require_agency(user, change.agency)
    not_creator(change.created_by_id, user, change.number)
    comment = clean_text(comment, _("comment"), 300, required=not approve)
    with transaction.atomic():
        change = PersonnelChange.objects.select_for_update().get(pk=change.pk)
        require_state(change, [Decision.PENDING], change.number, pgettext("workflow action", "decide"))
        if approve:
            _not_after_runs(change.agency, change.effective_from)
            _apply(change)
        change.status = Decision.APPROVED if approve else Decision.REJECTED
        change.decided_by, change.decided_at, change.comment = user, timezone.now(), comment
        change.save(update_fields=["status", "decided_by", "decided_at", "comment", "staff"])
        record("finance.payroll.change." + ("approve" if approve else "reject"), change,
               detail={"staff": change.staff_id, "comment": comment}, actor=user)
    return change


def _apply(change: PersonnelChange) -> None:
    data = change.data
    if change.kind == Kind.HIRE:
        if Staff.objects.filter(id_number=data["id_number"]).exists():
            raise deny("duplicate_person", _("[Staff database rule] the person with identity number %(id)s is "
                                             "already registered or awaiting approval.") % {"id": data["id_number"]})
        account = get_user_model().objects.filter(username=data.get("username")).first() if data.get(
            "username") else None
        change.staff = Staff.objects.create(
            agency=change.agency, name=data["name"], id_number=data["id_number"], position=data["position"],
            grade=data["grade"], bank_card=data["bank_card"], bank_name=data["bank_name"], user=account,
            hired_from=change.effective_from)
    elif change.kind == Kind.LEAVE:
        staff = Staff.objects.select_for_update().get(pk=change.staff_id)
        staff.left_from = change.effective_from
        staff.save(update_fields=["left_from"])
    items = {i.code: i for i in PayItem.objects.filter(code__in=data.get("amounts", {}))}
    for code, amount in data.get("amounts", {}).items():
        StaffAmount.objects.update_or_create(staff=change.staff, item=items[code],
                                             effective_from=change.effective_from,
                                             defaults={"amount": to_money(amount), "change": change})
