"""Division isolation (乡财乡用县监管): a township sees only its own agencies' data, on every core
finance screen, listing and export; the county sees itself and its townships; another division's
object is a 404 and the services refuse to act on it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.models import Agency, FiscalDivision, Indicator, PaymentApplication, PaymentStatus
from core_finance.services import budget, indicators, payments, reports, scope
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


def cells(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)


def test_the_scope_of_each_kind_of_user(towns):
    u, inds = towns["users"], towns["inds"]
    visible = {name: set(scope.for_user(Indicator.objects.all(), u[name]).values_list("pk", flat=True))
               for name in ("a_clerk", "b_clerk", "county_chief", "home_chief")}
    assert visible["a_clerk"] == {inds["a"].pk}
    assert visible["b_clerk"] == {inds["b"].pk}
    assert visible["county_chief"] == {inds["county"].pk, inds["a"].pk, inds["b"].pk}
    assert visible["home_chief"].isdisjoint({inds["county"].pk, inds["a"].pk, inds["b"].pk})
    assert list(scope.for_user(PaymentApplication.objects.all(), u["a_clerk"])) == [towns["a_paid"]]


def test_an_agency_without_a_division_belongs_to_the_home_division(db):
    unit = Agency.objects.create(code="999", name="新设单位")
    assert unit.division == FiscalDivision.home() and FiscalDivision.objects.filter(is_home=True).count() == 1
    child = Agency.objects.create(code="999001", name="下属单位", parent=unit)
    assert child.division_id == unit.division_id


def test_a_township_cannot_open_another_townships_objects(towns, login):
    inds, b_pending = towns["inds"], towns["b_pending"]
    client = login(towns["users"]["a_clerk"])
    assert client.get(f"/admin/finance/indicators/{inds['a'].pk}/").status_code == 200
    for url in (f"/admin/finance/indicators/{inds['b'].pk}/", f"/admin/finance/indicators/{inds['b'].pk}/balance.json",
                f"/admin/finance/indicators/{inds['county'].pk}/", f"/admin/finance/payments/{b_pending.pk}/",
                f"/admin/finance_agencies/edit/{towns['agencies']['402001'].pk}/",
                f"/admin/finance/divisions/{towns['b'].pk}/"):
        assert client.get(url).status_code == 404, url


def test_vouchers_and_budgets_of_another_township_are_not_found(towns, login):
    u = towns["users"]
    version = budget.create_version(towns["agencies"]["401001"], 2026, u["a_clerk"])
    client = login(u["b_clerk"])
    assert client.get(f"/admin/finance_vouchers/inspect/{towns['a_paid'].voucher.pk}/").status_code == 404
    assert client.get(f"/admin/finance/budget/{version.pk}/").status_code == 404
    assert towns["a_paid"].voucher.number not in client.get("/admin/finance_vouchers/").content.decode()
    client = login(u["a_clerk"])
    assert client.get(f"/admin/finance_vouchers/inspect/{towns['a_paid'].voucher.pk}/").status_code == 200
    assert client.get(f"/admin/finance/budget/{version.pk}/").status_code == 200


def test_listings_and_their_exports_hold_only_the_users_division(towns, login):
    inds = towns["inds"]
    client = login(towns["users"]["a_clerk"])
    listing = client.get("/admin/finance_indicators/").content.decode()
    assert inds["a"].number in listing and inds["b"].number not in listing and inds["county"].number not in listing
    exported = cells(client.get("/admin/finance_indicators/?export=xlsx"))
    assert inds["a"].number in exported and inds["b"].number not in exported
    payments_list = client.get("/admin/finance_payments/").content.decode()
    assert towns["a_paid"].number in payments_list and towns["b_pending"].number not in payments_list
    assert towns["b_pending"].number not in cells(client.get("/admin/finance_payments/?export=xlsx"))
    agencies = client.get("/admin/finance_agencies/").content.decode()
    assert "首善镇财政所" in agencies and "横渠镇财政所" not in agencies
    # The agency filter offers no other division's agencies either.
    assert "横渠镇财政所" not in client.get("/admin/finance_payments/?agency=").content.decode()


def test_reports_and_their_exports_hold_only_the_users_division(towns, login):
    client = login(towns["users"]["a_clerk"])
    report = client.get("/admin/finance/reports/execution/?year=2026&dimension=agency").content.decode()
    assert "首善镇财政所" in report and "横渠镇财政所" not in report and "眉县财政局" not in report
    exported = cells(client.get("/admin/finance/reports/execution/?year=2026&dimension=agency&format=xlsx"))
    assert "首善镇财政所" in exported and "横渠镇财政所" not in exported
    drill = client.get("/admin/finance/reports/vouchers/?year=2026&dimension=agency&key=402001").content.decode()
    assert towns["b_pending"].number not in drill
    leaders = client.get("/admin/finance/reports/leaders/?year=2026").content.decode()
    assert "横渠镇财政所" not in leaders
    assert reports.execution(2026, "agency", agency_ids=[])["rows"] == []


def test_the_treasury_wide_screens_are_closed_to_townships(towns, login):
    client = login(towns["users"]["a_chief"])
    for url in ("/admin/finance/bank/", "/admin/finance/ledger/"):
        assert client.get(url).status_code == 404, url


def test_a_township_chief_cannot_decide_another_townships_payment(towns, login):
    b_pending = towns["b_pending"]
    client = login(towns["users"]["a_chief"])
    for decision in ({"decision": "approve"}, {"decision": "reject", "comment": "不同意"}):
        assert client.post(f"/admin/finance/payments/{b_pending.pk}/decide/", decision).status_code == 404
    assert refresh(b_pending).status == PaymentStatus.RESERVED


def test_the_county_supervisor_sees_the_county_and_its_townships(towns, login):
    client = login(towns["users"]["county_chief"])
    listing = client.get("/admin/finance_indicators/").content.decode()
    assert all(ind.number in listing for ind in towns["inds"].values())
    assert client.get(f"/admin/finance/payments/{towns['b_pending'].pk}/").status_code == 200
    report = client.get("/admin/finance/reports/execution/?year=2026&dimension=agency").content.decode()
    assert "首善镇财政所" in report and "横渠镇财政所" in report


def test_the_services_refuse_another_divisions_data(towns):
    u, inds = towns["users"], towns["inds"]
    with pytest.raises(FinanceRuleError) as refused:
        towns["pay"](inds["b"], "10.00", u["a_clerk"])
    assert refused.value.rule == "division" and "横渠镇财政所" in refused.value.text
    with pytest.raises(FinanceRuleError):
        payments.approve(towns["b_pending"], u["a_chief"])
    with pytest.raises(FinanceRuleError):
        indicators.freeze(inds["b"], "1.00", u["a_chief"])
    with pytest.raises(FinanceRuleError):  # nor move money into another township
        indicators.request_adjustment("transfer", inds["a"], "1.00", "文", u["a_clerk"],
                                      target_agency=towns["agencies"]["402001"])
    with pytest.raises(FinanceRuleError):
        budget.create_version(towns["agencies"]["402001"], 2026, u["a_clerk"])
    assert refresh(inds["b"]).balance == inds["b"].amount - towns["b_pending"].amount
    assert refresh(towns["b_pending"]).status == PaymentStatus.RESERVED


def test_form_choices_offer_only_the_users_division(towns, login):
    client = login(towns["users"]["a_clerk"])
    form = client.get("/admin/finance/payments/new/").content.decode()
    assert towns["inds"]["a"].number in form and towns["inds"]["b"].number not in form
