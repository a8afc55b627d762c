"""Import a whole agency budget from Excel/CSV: every row is checked; one bad row refuses the file."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.models import BudgetLine, BudgetStatus, BudgetVersion
from core_finance.services.base import require_perm, require_state
from core_finance.services.budget import line_values
from core_finance.services.sheets import read_rows, to_xlsx

COLUMNS = {
    "project": ("project", "项目编码"),
    "functional": ("functional", "功能分类科目", "功能分类"),
    "dept_econ": ("dept_econ", "部门经济分类"),
    "funding": ("funding", "资金来源"),
    "amount": ("amount", "金额"),
    "note": ("note", "备注"),
}
HEADINGS = ["项目编码", "功能分类科目", "部门经济分类", "资金来源", "金额", "备注"]


def import_budget(version: BudgetVersion, data: bytes, user) -> int:
    """Replace the lines of a draft version with the file's rows. Returns the number of lines."""
    require_perm(user, "add_budgetversion", _("prepare budgets"))
    rows = read_rows(data, COLUMNS)
    with transaction.atomic():
        version = BudgetVersion.objects.select_for_update().get(pk=version.pk)
        require_state(version, [BudgetStatus.DRAFT, BudgetStatus.RETURNED], str(version), pgettext("workflow action", "edit"))
        clean, errors = [], []
        for number, row in rows:
            try:
                clean.append(line_values(version, project=row.get("project"), functional=row.get("functional"),
                                         dept_econ=row.get("dept_econ"), funding=row.get("funding"),
                                         amount=row.get("amount", ""), note=row.get("note", "")))
            except FinanceRuleError as exc:
                errors.append((number, exc.text))
        if not rows:
            errors.append((1, _("the file has no budget lines")))
        if errors:
            raise RowErrors(errors)
        version.lines.all().delete()
        BudgetLine.objects.bulk_create([BudgetLine(version=version, **c) for c in clean])
        record("finance.budget.import", version, detail={"lines": len(clean)}, actor=user)
    return len(clean)


def template_xlsx(version: BudgetVersion | None = None) -> bytes:
    """A workbook staff fill in (pre-filled with the version's lines when given)."""
    rows = []
    if version is not None:
        for ln in version.lines.select_related("project", "functional", "dept_econ", "funding"):
            rows.append([ln.project.code, ln.functional.code, ln.dept_econ.code, ln.funding.code, ln.amount, ln.note])
    return to_xlsx([(_("Budget lines"), HEADINGS, rows)])
