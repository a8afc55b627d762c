"""The payslip as a PDF (WeasyPrint; the Debian servers' Noto CJK fonts): one A5 page in Chinese.

Who may have it is decided exactly as for the payslip screen (``files.visible_slips``: the person
themselves, or payroll staff of the payslip's division); every download is in the audit log, since
a payslip is personal data.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.audit.services import record
from core_finance.payroll.models import PayItem, Payslip
from core_finance.payroll.rules import deny
from core_finance.payroll.services.files import visible_slips

# WeasyPrint reports every layout step at INFO; only its warnings belong in the service logs.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def money(value) -> str:
    return f"{value:,.2f}"


def context(slip: Payslip) -> dict:
    lines = list(slip.lines.all())
    run = slip.run
    return {
        "slip": slip, "run": run, "agency": run.agency.name, "month": f"{run.year}年{run.month}月",
        "card": f"{slip.bank_name} ****{slip.bank_card[-4:]}",  # as on the payslip screen
        "earnings": [(ln.name, money(ln.amount)) for ln in lines if ln.kind == PayItem.Kind.EARNING],
        "withholdings": [(ln.name, money(ln.amount)) for ln in lines if ln.kind == PayItem.Kind.WITHHOLDING],
        "gross": money(slip.gross), "withheld": money(slip.withholdings), "net": money(slip.net),
        "printed": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def render_pdf(slip: Payslip) -> bytes:
    from weasyprint import HTML

    # A payslip is a Chinese document whatever language the reader's screens use.
    with translation.override("zh-hans"):
        html = render_to_string("finance_payroll/pdf/payslip.html", context(slip))
    return HTML(string=html).write_pdf()


def payslip_pdf(slip: Payslip, user) -> tuple[str, bytes]:
    """The file name and the PDF of ``slip`` for ``user``; refused unless ``user`` may see it."""
    if user is None or not visible_slips(user).filter(pk=slip.pk).exists():
        raise deny("permission", _("[Permission rule] you are not allowed to %(action)s.")
                   % {"action": _("download this payslip")})
    data = render_pdf(slip)
    name = f"工资条_{slip.run.agency.code}_{slip.run.period}_{slip.name}.pdf"
    with transaction.atomic():
        record("finance.payroll.payslip.download", slip, actor=user, detail={
            "format": "pdf", "staff": slip.staff_id, "period": slip.run.period, "file": name})
    return name, data
