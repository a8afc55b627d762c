"""The payslip as a PDF: the person downloads their own (Chinese text, every pay item, the net
amount), the download is in the audit log; anyone else — another person, or payroll staff of
another fiscal division — gets a 404; payroll staff of the payslip's own division get it."""

from __future__ import annotations

import subprocess

import pytest

from common.audit.models import AuditEvent
from core_finance.models import DivisionMembership, FiscalDivision
from core_finance.payroll.services import runs
from tests.core_finance.payroll.conftest import PERIOD
from tests.core_finance.payroll.test_screens import login

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def slips(agency, hire, wage_indicator, pclerk, papprover):
    li, zhang = hire("李明"), hire("张伟")
    run = runs.approve(runs.submit(runs.create(agency, PERIOD, wage_indicator, pclerk), pclerk), papprover)
    return {"li": li, "mine": run.slips.get(staff=li), "theirs": run.slips.get(staff=zhang)}


def test_a_person_downloads_their_own_payslip_as_a_chinese_pdf(client, make_user, otp_login, slips, tmp_path):
    me = login(client, make_user, otp_login, "liming")
    slips["li"].user = me
    slips["li"].save()
    mine = slips["mine"]
    page = client.get(f"/admin/finance/payroll/payslips/{mine.pk}/").content.decode()
    assert f"/admin/finance/payroll/payslips/{mine.pk}/pdf/" in page
    response = client.get(f"/admin/finance/payroll/payslips/{mine.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "李明" in text and f"{mine.net:,.2f}" in text and "宝鸡市财政局（本级）" in text
    assert "工资条" in text and "基本工资" in text and "实发" in text and "2026年3月" in text
    assert mine.bank_card not in text  # the card is masked to its last four digits
    event = AuditEvent.objects.get(action="finance.payroll.payslip.download")
    assert event.object_id == str(mine.pk) and event.actor_id == me.pk


def test_another_person_gets_not_found(client, make_user, otp_login, slips):
    me = login(client, make_user, otp_login, "liming")
    slips["li"].user = me
    slips["li"].save()
    assert client.get(f"/admin/finance/payroll/payslips/{slips['theirs'].pk}/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action="finance.payroll.payslip.download").exists()


def test_payroll_staff_get_the_payslips_of_their_own_division_only(client, make_user, otp_login, slips):
    officer = login(client, make_user, otp_login, "gzb", "finance_payroll.view_payslip")
    assert client.get(f"/admin/finance/payroll/payslips/{slips['theirs'].pk}/pdf/").status_code == 200
    town = FiscalDivision.objects.create(code="610326100", name="首善镇", level="township",
                                         parent=FiscalDivision.home())
    DivisionMembership.objects.create(user=officer, division=town)
    assert client.get(f"/admin/finance/payroll/payslips/{slips['theirs'].pk}/pdf/").status_code == 404
    assert "张伟" not in client.get("/admin/finance/payroll/payslips/").content.decode()
