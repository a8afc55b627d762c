"""Division isolation of payroll (乡财乡用县监管): a township's payroll staff see, export and act on
their own agencies' runs, personnel changes, staff and payslips only; another township's records
are a 404 and the services refuse them; the county's supervisor sees its townships."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.payroll.models import PayrollRun, PersonnelChange, RunStatus
from core_finance.payroll.rules import with_check_digit
from core_finance.payroll.services import changes, files, runs
from tests.core_finance.divisions.conftest import login, towns  # noqa: F401  (fixtures)
from tests.core_finance.payroll.conftest import PERIOD, grant

pytestmark = pytest.mark.django_db

CLERK = ["finance_payroll.add_personnelchange", "finance_payroll.view_personnelchange",
         "finance_payroll.add_payrollrun", "finance_payroll.view_payrollrun", "finance_payroll.view_staff",
         "finance_payroll.view_payslip"]
CHIEF = ["finance_payroll.approve_personnelchange", "finance_payroll.view_personnelchange",
         "finance_payroll.approve_payrollrun", "finance_payroll.view_payrollrun", "finance_payroll.view_staff",
         "finance_payroll.view_payslip"]


def cells(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)


@pytest.fixture
def payroll(towns, items):  # noqa: F811
    """Each township has one person on an approved March run paid from its own wage indicator."""
    u = dict(towns["users"])
    for name in ("a_clerk", "b_clerk", "county_clerk"):
        u[name] = grant(u[name], *CLERK)
    for name in ("a_chief", "b_chief", "county_chief"):
        u[name] = grant(u[name], *CHIEF)
    out = {"users": u, "staff": {}, "runs": {}, "changes": {}}
    for n, (key, code, person) in enumerate((("a", "401001", "首善甲"), ("b", "402001", "横渠乙"))):
        agency = towns["agencies"][code]
        change = changes.request(agency, "hire", u[f"{key}_clerk"], effective_from=PERIOD, reason="公开招聘", data={
            "name": person, "id_number": with_check_digit(f"61032619850{n + 1}0112{n}"), "position": "科员",
            "grade": "二级科员", "bank_card": f"622202030300{n:07d}", "bank_name": "中国工商银行眉县支行"},
            amounts={"JBGZ": "3200.00", "JTBT": "900.00", "GS": "20.00"})
        out["staff"][key] = changes.decide(change, u[f"{key}_chief"], True).staff
        indicator = towns["issue"](code, "80000.00", econ="30101")
        run = runs.create(agency, PERIOD, indicator, u[f"{key}_clerk"])
        out["runs"][key] = runs.approve(runs.submit(run, u[f"{key}_clerk"]), u[f"{key}_chief"])
        out["indicators"] = {**out.get("indicators", {}), key: indicator}
        # A pending pay change stays open in each township.
        out["changes"][key] = changes.request(agency, "raise", u[f"{key}_clerk"], effective_from=PERIOD + 1,
                                              reason="年度调资", staff=out["staff"][key], amounts={"JBGZ": "3400.00"})
    return {**towns, **out}


def test_listings_and_their_exports_hold_only_the_townships_payroll(payroll, login):  # noqa: F811
    client = login(payroll["users"]["a_clerk"])
    for url in ("/admin/finance_payroll_runs/", "/admin/finance_payroll_staff/", "/admin/finance_payroll_changes/"):
        listing = client.get(url).content.decode()
        assert "首善镇财政所" in listing and "横渠镇财政所" not in listing, url
        exported = cells(client.get(url + "?export=xlsx"))
        assert "首善镇财政所" in exported and "横渠镇财政所" not in exported and "横渠乙" not in exported, url
    # The agency filter of the listing offers no other township's agency either.
    assert "横渠镇财政所" not in client.get("/admin/finance_payroll_runs/?agency=").content.decode()
    slips = client.get("/admin/finance/payroll/payslips/").content.decode()
    assert "首善甲" in slips and "横渠乙" not in slips


def test_another_townships_payroll_records_are_not_found(payroll, login):  # noqa: F811
    b_run, b_change, b_staff = payroll["runs"]["b"], payroll["changes"]["b"], payroll["staff"]["b"]
    b_slip = b_run.slips.get()
    client = login(payroll["users"]["a_chief"])
    assert client.get(f"/admin/finance/payroll/runs/{payroll['runs']['a'].pk}/").status_code == 200
    for url in (f"/admin/finance/payroll/runs/{b_run.pk}/", f"/admin/finance/payroll/runs/{b_run.pk}/bank-file/",
                f"/admin/finance/payroll/changes/{b_change.pk}/", f"/admin/finance_payroll_staff/inspect/{b_staff.pk}/",
                f"/admin/finance/payroll/payslips/{b_slip.pk}/", f"/admin/finance/payroll/payslips/{b_slip.pk}/pdf/"):
        assert client.get(url).status_code == 404, url
    for url in (f"/admin/finance/payroll/runs/{b_run.pk}/reject/", f"/admin/finance/payroll/changes/{b_change.pk}/decide/"):
        assert client.post(url, {"comment": "越权", "decision": "reject"}).status_code == 404, url
    assert PayrollRun.objects.get(pk=b_run.pk).status == RunStatus.APPROVED
    assert PersonnelChange.objects.get(pk=b_change.pk).status == "pending"


def test_forms_offer_and_accept_only_the_townships_agencies(payroll, login):  # noqa: F811
    client = login(payroll["users"]["a_clerk"])
    form = client.get("/admin/finance/payroll/runs/new/").content.decode()
    assert "首善镇财政所" in form and "横渠镇财政所" not in form and payroll["indicators"]["b"].number not in form
    b_agency = payroll["agencies"]["402001"]
    answer = client.post("/admin/finance/payroll/runs/new/", {
        "agency": b_agency.pk, "period": PERIOD + 1, "indicator": payroll["indicators"]["b"].pk})
    assert answer.status_code == 200 and not PayrollRun.objects.filter(agency=b_agency, period=PERIOD + 1).exists()
    change_form = client.get("/admin/finance/payroll/changes/new/").content.decode()
    assert "首善甲" in change_form and "横渠乙" not in change_form
    before = PersonnelChange.objects.count()
    client.post("/admin/finance/payroll/changes/new/", {
        "agency": b_agency.pk, "kind": "leave", "effective_from": PERIOD + 2, "reason": "调离",
        "staff": payroll["staff"]["b"].pk})
    assert PersonnelChange.objects.count() == before


def test_the_services_refuse_another_townships_agency(payroll):
    u, b_agency = payroll["users"], payroll["agencies"]["402001"]
    with pytest.raises(FinanceRuleError) as refused:
        runs.create(b_agency, PERIOD + 1, payroll["indicators"]["b"], u["a_clerk"])
    assert "区划隔离" in refused.value.text
    with pytest.raises(FinanceRuleError):
        changes.request(b_agency, "leave", u["a_clerk"], effective_from=PERIOD + 2, reason="调离",
                        staff=payroll["staff"]["b"])
    with pytest.raises(FinanceRuleError):
        changes.decide(payroll["changes"]["b"], u["a_chief"], True)
    with pytest.raises(FinanceRuleError):
        files.bank_file(payroll["runs"]["b"], u["a_chief"])
    assert not PayrollRun.objects.filter(period=PERIOD + 1).exists()
    assert PersonnelChange.objects.get(pk=payroll["changes"]["b"].pk).status == "pending"


def test_the_county_supervisor_sees_its_townships_payroll(payroll, login):  # noqa: F811
    client = login(payroll["users"]["county_chief"])
    listing = client.get("/admin/finance_payroll_runs/").content.decode()
    assert "首善镇财政所" in listing and "横渠镇财政所" in listing
    for key in ("a", "b"):
        assert client.get(f"/admin/finance/payroll/runs/{payroll['runs'][key].pk}/").status_code == 200
        bank = client.get(f"/admin/finance/payroll/runs/{payroll['runs'][key].pk}/bank-file/")
        assert bank.status_code == 200 and payroll["staff"][key].name in bank.content.decode()
    slips = client.get("/admin/finance/payroll/payslips/").content.decode()
    assert "首善甲" in slips and "横渠乙" in slips
    # The home division's staff (no membership) do not see the county's townships.
    home = login(grant(payroll["users"]["home_chief"], *CHIEF))
    assert "首善镇财政所" not in home.get("/admin/finance_payroll_runs/").content.decode()
    assert home.get(f"/admin/finance/payroll/runs/{payroll['runs']['a'].pk}/").status_code == 404
