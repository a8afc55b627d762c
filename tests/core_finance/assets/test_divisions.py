"""Division isolation of state assets (乡财乡用县监管): a township's staff see, export and act on
their own agencies' asset cards, requests and report rows only; another township's card is a 404
and the services refuse it; the county sees its townships."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from core_finance.assets import services
from core_finance.assets.models import AssetCard, AssetChange, ChangeStatus
from core_finance.errors import FinanceRuleError
from tests.core_finance.assets.conftest import with_asset_perms
from tests.core_finance.divisions.conftest import login, towns  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings(towns, cats):  # noqa: F811
    """An asset card in each township; township B has asked to scrap its card."""
    u = dict(towns["users"])
    for name in ("a_clerk", "b_clerk", "county_clerk"):
        u[name] = with_asset_perms(u[name], "科员")
    for name in ("a_chief", "b_chief", "county_chief"):
        u[name] = with_asset_perms(u[name], "科长")
    cards = {}
    for key, code, name in (("a", "401001", "首善镇办公电脑"), ("b", "402001", "横渠镇复印机")):
        cards[key] = services.register(name=name, category=cats["30201"], agency=towns["agencies"][code],
                                       location="财政所", custodian="所长", original_value="7200.00",
                                       acquired_on=dt.date(2024, 5, 1), user=u[f"{key}_clerk"])
    b_change = services.request_change(cards["b"], kind="scrap", user=u["b_clerk"], reason="老化报废")
    return {**towns, "users": u, "cards": cards, "b_change": b_change}


def test_the_register_and_report_hold_only_the_townships_assets(holdings, login):  # noqa: F811
    client = login(holdings["users"]["a_clerk"])
    register = client.get("/admin/finance/assets/").content.decode()
    assert "首善镇办公电脑" in register and "横渠镇复印机" not in register and "横渠镇财政所" not in register
    report = client.get("/admin/finance/assets/report/?year=2026").content.decode()
    assert "首善镇财政所" in report and "横渠镇财政所" not in report
    data = client.get("/admin/finance/assets/report/?year=2026&format=xlsx").content
    book = load_workbook(io.BytesIO(data))
    cells = "\n".join(str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row)
    assert "首善镇办公电脑" in cells and "横渠镇复印机" not in cells and "横渠镇财政所" not in cells


def test_another_townships_asset_is_not_found(holdings, login):  # noqa: F811
    b_card = holdings["cards"]["b"]
    client = login(holdings["users"]["a_chief"])
    assert client.get(f"/admin/finance/assets/{holdings['cards']['a'].pk}/").status_code == 200
    assert client.get(f"/admin/finance/assets/{b_card.pk}/").status_code == 404
    assert client.post(f"/admin/finance/assets/changes/{holdings['b_change'].pk}/approve/").status_code == 404
    clerk = login(holdings["users"]["a_clerk"])
    assert clerk.post(f"/admin/finance/assets/{b_card.pk}/edit/", {"location": "别处", "custodian": "某人"}
                      ).status_code == 404
    assert clerk.post(f"/admin/finance/assets/{b_card.pk}/change/", {"kind": "scrap", "reason": "越权"}
                      ).status_code == 404
    assert AssetChange.objects.get(pk=holdings["b_change"].pk).status == ChangeStatus.PENDING
    assert AssetCard.objects.get(pk=b_card.pk).location == "财政所"


def test_forms_offer_and_accept_only_the_townships_agencies(holdings, login, cats):  # noqa: F811
    client = login(holdings["users"]["a_clerk"])
    form = client.get("/admin/finance/assets/new/").content.decode()
    assert "首善镇财政所" in form and "横渠镇财政所" not in form
    client.post("/admin/finance/assets/new/", {
        "name": "越权登记", "category": cats["30201"].pk, "agency": holdings["agencies"]["402001"].pk,
        "original_value": "100.00", "acquired_on": "2024-01-01", "location": "某处", "custodian": "某人"})
    assert not AssetCard.objects.filter(name="越权登记").exists()
    card_page = client.get(f"/admin/finance/assets/{holdings['cards']['a'].pk}/").content.decode()
    assert "横渠镇财政所" not in card_page  # the transfer target list
    with pytest.raises(FinanceRuleError):
        services.request_change(holdings["cards"]["a"], kind="transfer", user=holdings["users"]["a_clerk"],
                                reason="调拨", to_agency=holdings["agencies"]["402001"])


def test_the_services_refuse_another_townships_assets(holdings, cats):
    u = holdings["users"]
    with pytest.raises(FinanceRuleError) as refused:
        services.register(name="越权登记", category=cats["30201"], agency=holdings["agencies"]["402001"],
                          location="某处", custodian="某人", original_value="100.00",
                          acquired_on=dt.date(2024, 1, 1), user=u["a_clerk"])
    assert "区划" in refused.value.text
    with pytest.raises(FinanceRuleError):
        services.decide_change(holdings["b_change"], u["a_chief"], True)
    with pytest.raises(FinanceRuleError):
        services.update_card(holdings["cards"]["b"], u["a_clerk"], location="别处")
    assert AssetChange.objects.get(pk=holdings["b_change"].pk).status == ChangeStatus.PENDING


def test_the_county_supervisor_sees_its_townships_assets(holdings, login):  # noqa: F811
    client = login(holdings["users"]["county_chief"])
    register = client.get("/admin/finance/assets/").content.decode()
    assert "首善镇办公电脑" in register and "横渠镇复印机" in register
    report = client.get("/admin/finance/assets/report/?year=2026").content.decode()
    assert "首善镇财政所" in report and "横渠镇财政所" in report
    assert client.get(f"/admin/finance/assets/{holdings['cards']['b'].pk}/").status_code == 200
    services.decide_change(holdings["b_change"], holdings["users"]["county_chief"], True)
    assert AssetChange.objects.get(pk=holdings["b_change"].pk).status == ChangeStatus.APPROVED
