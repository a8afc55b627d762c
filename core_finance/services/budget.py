"""Departmental budget preparation: lines, "two up, two down" review, versions, summaries."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.errors import refuse
from core_finance.models import (
    BudgetLine,
    BudgetReview,
    BudgetStatus,
    BudgetVersion,
    ClassificationCode,
    CodeTable,
    Project,
)
from core_finance.models.codes import LEVEL_LENGTHS
from core_finance.money import ZERO, to_money
from core_finance.services import scope
from core_finance.services.base import not_creator, require_perm, require_state
from core_finance.services.codes import gov_code_for, leaf_code


def create_version(agency, year: int, user) -> BudgetVersion:
    require_perm(user, "add_budgetversion", _("prepare budgets"))
    scope.require_agency(user, agency)
    with transaction.atomic():
        last = BudgetVersion.objects.select_for_update().filter(agency=agency, year=year).order_by("-number").first()
        if last is not None and last.status != BudgetStatus.APPROVED and last.editable:
            return last  # keep working on the open draft rather than forking a second one
        if last is not None and last.status in (BudgetStatus.SUBMITTED, BudgetStatus.DEPT_APPROVED):
            raise refuse("state", document=str(last), state=last.get_status_display(), action=pgettext("workflow action", "revise"))
        version = BudgetVersion.objects.create(agency=agency, year=year, number=(last.number + 1) if last else 1,
                                               round=1, previous=last, created_by=user)
        if last is not None:
            _copy_lines(last, version)
        record("finance.budget.create_version", version, actor=user)
    return version


def _copy_lines(source: BudgetVersion, target: BudgetVersion) -> None:
    BudgetLine.objects.bulk_create([
        BudgetLine(version=target, project_id=ln.project_id, functional_id=ln.functional_id,
                   dept_econ_id=ln.dept_econ_id, gov_econ_id=ln.gov_econ_id, funding_id=ln.funding_id,
                   amount=ln.amount, note=ln.note)
        for ln in source.lines.all()
    ])


def line_values(version: BudgetVersion, *, project, functional, dept_econ, funding, amount, note="") -> dict:
    """Validate one line's values for the version's year; returns model field values."""
    year = version.year
    if not isinstance(project, Project):
        code = str(project or "").strip()
        project = Project.objects.filter(year=year, code=code).first() if code.isprintable() and len(code) <= 40 \
            else None
        if project is None:
            raise refuse("code_invalid", table=_("project"), code=code, year=year)
    if project.year != year:
        raise refuse("year_mismatch", what=str(project), other=project.year, year=year)
    if project.agency_id != version.agency_id:
        raise refuse("code_invalid", table=_("project"), code=project.code, year=year)
    functional = leaf_code(CodeTable.FUNCTIONAL, year, functional)
    dept_econ = leaf_code(CodeTable.DEPT_ECONOMIC, year, dept_econ)
    funding = leaf_code(CodeTable.FUNDING, year, funding)
    return {"project": project, "functional": functional, "dept_econ": dept_econ, "gov_econ": gov_code_for(dept_econ),
            "funding": funding, "amount": to_money(amount, positive=True), "note": (note or "")[:200]}


def add_line(version: BudgetVersion, user, **values) -> BudgetLine:
    require_perm(user, "add_budgetversion", _("prepare budgets"))
    clean = line_values(version, **values)
    with transaction.atomic():
        version = BudgetVersion.objects.select_for_update().get(pk=version.pk)
        require_state(version, [BudgetStatus.DRAFT, BudgetStatus.RETURNED], str(version), pgettext("workflow action", "edit"))
        line = BudgetLine.objects.create(version=version, **clean)
        record("finance.budget.add_line", line, detail={"version": version.pk, "amount": clean["amount"]}, actor=user)
    return line


def remove_line(line: BudgetLine, user) -> None:
    require_perm(user, "add_budgetversion", _("prepare budgets"))
    with transaction.atomic():
        version = BudgetVersion.objects.select_for_update().get(pk=line.version_id)
        require_state(version, [BudgetStatus.DRAFT, BudgetStatus.RETURNED], str(version), pgettext("workflow action", "edit"))
        record("finance.budget.remove_line", line, before={"amount": line.amount, "project": line.project_id},
               actor=user)
        line.delete()


def _step(version, user, action, comment=""):
    BudgetReview.objects.create(version=version, action=action, comment=comment, actor=user)


def submit(version: BudgetVersion, user) -> BudgetVersion:
    """单位 → 主管部门."""
    require_perm(user, "submit_budgetversion", _("submit budgets"))
    scope.require_agency(user, version.agency)
    with transaction.atomic():
        version = BudgetVersion.objects.select_for_update().get(pk=version.pk)
        require_state(version, [BudgetStatus.DRAFT, BudgetStatus.RETURNED], str(version), pgettext("workflow action", "submit"))
        if not version.lines.exists():
            raise refuse("budget_empty")
        version.status, version.submitted_by = BudgetStatus.SUBMITTED, user
        version.save(update_fields=["status", "submitted_by"])
        _step(version, user, "submit")
        record("finance.budget.submit", version, detail={"round": version.round, "total": total(version)}, actor=user)
    return version


def _review(version, user, approve, comment, perm, perm_label, from_status):
    require_perm(user, perm, perm_label)
    scope.require_agency(user, version.agency)
    not_creator(version.created_by_id, user, str(version))
    not_creator(version.submitted_by_id, user, str(version))
    if not approve and not (comment or "").strip():
        raise refuse("comment_required")
    version = BudgetVersion.objects.select_for_update().get(pk=version.pk)
    require_state(version, [from_status], str(version), pgettext("workflow action", "review"))
    return version


def department_review(version: BudgetVersion, user, approve: bool, comment: str = "") -> BudgetVersion:
    """主管部门: forward to the budget section, or return to the unit with a comment."""
    with transaction.atomic():
        version = _review(version, user, approve, comment, "review_budgetversion", _("review budgets"),
                          BudgetStatus.SUBMITTED)
        version.status = BudgetStatus.DEPT_APPROVED if approve else BudgetStatus.RETURNED
        version.save(update_fields=["status"])
        _step(version, user, "department_approve" if approve else "department_return", comment)
        record("finance.budget.department_review", version, detail={"approve": approve, "comment": comment},
               actor=user)
    return version


def finance_review(version: BudgetVersion, user, approve: bool, comment: str = "") -> BudgetVersion:
    """预算科: in round one issue control figures (一下) and open round two; in round two approve (二下)."""
    with transaction.atomic():
        version = _review(version, user, approve, comment, "approve_budgetversion", _("approve budgets"),
                          BudgetStatus.DEPT_APPROVED)
        result = version
        if not approve:
            version.status = BudgetStatus.RETURNED
            _step(version, user, "finance_return", comment)
        elif version.round == 1:
            version.status = BudgetStatus.CONTROL_ISSUED
            _step(version, user, "control_issued", comment)
            result = BudgetVersion.objects.create(agency=version.agency, year=version.year, number=version.number + 1,
                                                  round=2, previous=version, created_by=version.created_by)
            _copy_lines(version, result)
        else:
            version.status = BudgetStatus.APPROVED
            _step(version, user, "approved", comment)
        version.save(update_fields=["status"])
        record("finance.budget.finance_review", version,
               detail={"approve": approve, "comment": comment, "next_version": result.pk}, actor=user)
    return result


# --- summaries ----------------------------------------------------------------------------------

def total(version: BudgetVersion) -> Decimal:
    return sum((ln.amount for ln in version.lines.all()), ZERO)


def summary(version: BudgetVersion) -> dict:
    """Totals by functional 类/款/项, economic 类/款, funding source and expenditure type.

    Every table sums exactly to the grand total (Decimal arithmetic; each line counted once per level).
    """
    lines = list(version.lines.select_related("functional", "dept_econ", "funding", "project"))
    grand = sum((ln.amount for ln in lines), ZERO)
    names = _names(version.year)
    tables = {}
    for key, table, attr in (("functional", CodeTable.FUNCTIONAL, "functional"),
                             ("economic", CodeTable.DEPT_ECONOMIC, "dept_econ")):
        for depth, length in enumerate(LEVEL_LENGTHS[table], start=1):
            acc = defaultdict(lambda: ZERO)
            for ln in lines:
                acc[getattr(ln, attr).code[:length]] += ln.amount
            tables[f"{key}_{depth}"] = [(code, names.get((table, code), ""), amt) for code, amt in sorted(acc.items())]
    acc = defaultdict(lambda: ZERO)
    for ln in lines:
        acc[(ln.funding.code, ln.funding.name)] += ln.amount
    tables["funding"] = [(c, n, a) for (c, n), a in sorted(acc.items())]
    basic = sum((ln.amount for ln in lines if ln.project.is_basic), ZERO)
    tables["expenditure_type"] = [("basic", _("basic expenditure"), basic),
                                  ("project", _("project expenditure"), grand - basic)]
    return {"total": grand, "tables": tables}


def _names(year: int) -> dict:
    return {(t, c): n for t, c, n in ClassificationCode.objects.filter(year=year).values_list("table", "code", "name")}
