"""The bank payroll file (代发工资文件) for the agency's agent bank; format in docs/finance-files.md.

    #JINCAI-PAYROLL,1,<bank>,<agency code>,<YYYYMM>,<count>,<total net>
    seq,name,id_number,card_no,card_bank,amount

UTF-8 CSV, one row per person paid, amounts with two decimals; the header's count and total let
the bank check the file before paying. Only an approved run (vouchers issued) has a file.
"""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.payroll import rules
from core_finance.payroll.models import PayrollRun, RunStatus
from core_finance.services import scope
from core_finance.services.base import require_state

HEADER = ["seq", "name", "id_number", "card_no", "card_bank", "amount"]


def bank_file(run: PayrollRun, user) -> tuple[str, bytes]:
    rules.require(user, "finance_payroll.view_payslip", _("export payroll bank files"))
    scope.require_agency(user, run.agency)
    require_state(run, [RunStatus.APPROVED], str(run), pgettext("workflow action", "export"))
    slips = list(run.slips.select_related("staff").filter(net__gt=0).order_by("pk"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    out.write(f"#JINCAI-PAYROLL,1,{run.agency.agent_bank},{run.agency.code},{run.period},{len(slips)},"
              f"{sum(s.net for s in slips):.2f}\n")
    writer.writerow(HEADER)
    for n, slip in enumerate(slips, 1):
        writer.writerow([n, slip.name, slip.staff.id_number, slip.bank_card, slip.bank_name, f"{slip.net:.2f}"])
    name = f"PAYROLL_{run.agency.code}_{run.period}.csv"
    with transaction.atomic():
        record("finance.payroll.run.bank_file", run, detail={"file": name, "rows": len(slips)}, actor=user)
    return name, out.getvalue().encode()


def visible_slips(user):
    """Payroll officers see the payslips of their divisions; anyone else (and they too) their own."""
    from core_finance.payroll.models import Payslip

    qs = Payslip.objects.select_related("run__agency", "staff").filter(run__status=RunStatus.APPROVED)
    own = qs.filter(staff__user=user)
    if user.has_perm("finance_payroll.view_payslip"):
        return scope.for_user(qs, user) | own
    return own
