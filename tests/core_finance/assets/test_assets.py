"""Assets: depreciation, acquisition from paid capital payments, transfers and disposals, the report."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from core_finance.assets import services
from core_finance.assets.models import AssetCard, AssetChange, CardStatus
from core_finance.errors import FinanceRuleError
from core_finance.models import Agency, PaymentStatus
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


def card(user, cats, agency, value="10000.00", life=None, acquired=dt.date(2024, 1, 15), code="30201", **extra):
    return services.register(name="台式计算机", category=cats[code], agency=agency, location="305 室",
                             custodian="陈静", original_value=value, acquired_on=acquired, user=user,
                             useful_life_months=life, **extra)


def test_straight_line_depreciation_with_the_last_month_absorbing_rounding(aclerk, cats, agency):
    c = card(aclerk, cats, agency, value="10000.00", life=3, acquired=dt.date(2024, 1, 15))
    assert [services.charge(c, 2024, m) for m in (1, 2, 3, 4)] == [D("3333.33"), D("3333.33"), D("3333.34"), 0]
    assert services.accumulated(c, 2023, 12) == 0 and services.accumulated(c, 2030, 12) == D("10000.00")


@pytest.mark.parametrize("value,life", [("0.05", 12), ("1.00", 600), ("100.00", 7), ("99999.99", 72),
                                        ("36000000.00", 600), ("0.01", 1)])
def test_accumulated_depreciation_never_exceeds_the_value(aclerk, cats, agency, value, life):
    c = card(aclerk, cats, agency, value=value, life=life, acquired=dt.date(2020, 5, 1))
    previous = D(0)
    for year in range(2020, 2072):
        for month in range(1, 13):
            acc = services.accumulated(c, year, month)
            assert previous <= acc <= D(value)
            previous = acc
    assert previous == D(value)


def test_land_is_not_depreciated_and_depreciation_stops_at_disposal(aclerk, achief, cats, agency):
    land = card(aclerk, cats, agency, code="101", value="5000000.00")
    assert land.useful_life_months == 0 and services.accumulated(land, 2030, 12) == 0
    pc = card(aclerk, cats, agency, value="7200.00", acquired=dt.date(2024, 1, 1))  # 72 months: 100.00 a month
    change = services.request_change(pc, kind="scrap", user=aclerk, reason="损坏", effective_on=dt.date(2024, 4, 10))
    services.decide_change(change, achief, True)
    pc = refresh(pc)
    assert services.accumulated(pc, 2030, 12) == D("300.00")  # January to March; not the month of disposal


def test_acquisition_from_a_paid_capital_payment(aclerk, cats, agency, paid_payment):
    app = paid_payment("100000.00")
    assert app.status == PaymentStatus.PAID
    first = card(aclerk, cats, agency, value="60000.00", acquired=dt.date.today(), payment=app)
    assert first.payment == app
    with pytest.raises(FinanceRuleError) as exc:  # 60 000 + 50 000 > 100 000 paid
        card(aclerk, cats, agency, value="50000.00", acquired=dt.date.today(), payment=app)
    assert exc.value.rule == "asset_payment_exceeded"
    card(aclerk, cats, agency, value="40000.00", acquired=dt.date.today(), payment=app)
    assert AssetCard.objects.filter(payment=app).count() == 2


def test_acquisitions_are_refused_from_unpaid_or_non_capital_payments(aclerk, cats, agency, paid_payment, pay,
                                                                       make_indicator):
    office = paid_payment("800.00", econ="30201")
    with pytest.raises(FinanceRuleError) as exc:
        card(aclerk, cats, agency, value="800.00", acquired=dt.date.today(), payment=office)
    assert exc.value.rule == "asset_payment_code"
    waiting = pay(make_indicator("9000.00", econ="31002"), "5000.00")
    with pytest.raises(FinanceRuleError) as exc:
        card(aclerk, cats, agency, value="5000.00", acquired=dt.date.today(), payment=waiting)
    assert exc.value.rule == "asset_payment_state"
    with pytest.raises(FinanceRuleError) as exc:  # this year's asset without its payment
        card(aclerk, cats, agency, value="5000.00", acquired=dt.date.today())
    assert exc.value.rule == "asset_payment_needed"
    other = Agency.objects.create(code="102001", name="宝鸡市教育局（本级）")
    capital = paid_payment("3000.00")
    with pytest.raises(FinanceRuleError) as exc:
        card(aclerk, cats, other, value="3000.00", acquired=dt.date.today(), payment=capital)
    assert exc.value.rule == "asset_payment_agency"
    assert not AssetCard.objects.exists()


def test_transfers_need_approval_by_someone_else(aclerk, achief, cats, agency):
    school = Agency.objects.create(code="102002", name="宝鸡市第一中学")
    pc = card(aclerk, cats, agency)
    move = services.request_change(pc, kind="transfer", to_agency=school, user=aclerk, reason="调剂使用")
    with pytest.raises(FinanceRuleError) as exc:
        services.request_change(pc, kind="scrap", user=aclerk, reason="重复申请")
    assert exc.value.rule == "asset_pending"
    assert refresh(pc).agency == agency  # nothing moves before approval
    achief.user_permissions.add(Permission.objects.get(codename="add_assetchange"))
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_change(move, aclerk, True)  # no approval permission
    assert exc.value.rule == "permission"
    own = services.request_change(card(aclerk, cats, agency), kind="scrap", user=refresh(achief), reason="损坏")
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_change(own, refresh(achief), True)
    assert exc.value.rule == "creator_approves"
    services.decide_change(move, achief, True)
    assert refresh(pc).agency == school
    with pytest.raises(FinanceRuleError):
        services.decide_change(move, achief, True)  # decided once


def test_a_disposed_asset_is_read_only(aclerk, achief, cats, agency):
    pc = card(aclerk, cats, agency)
    sale = services.request_change(pc, kind="sale", proceeds="800.00", receiver="宝鸡再生资源公司", user=aclerk,
                                   reason="淘汰")
    services.decide_change(sale, achief, True)
    pc = refresh(pc)
    assert pc.status == CardStatus.DISPOSED and pc.disposed_on == dt.date.today()
    with pytest.raises(FinanceRuleError):
        services.update_card(pc, aclerk, location="仓库")
    with pytest.raises(FinanceRuleError):
        services.request_change(pc, kind="scrap", user=aclerk, reason="再次处置")
    pc.custodian = "别人"
    with pytest.raises(FinanceRuleError):
        pc.save()
    assert refresh(pc).custodian == "陈静"


def test_the_annual_report_balances_and_follows_transfers(aclerk, achief, cats, agency):
    school = Agency.objects.create(code="102002", name="宝鸡市第一中学")
    a = card(aclerk, cats, agency, value="7200.00", acquired=dt.date(2024, 1, 1))       # 100.00 a month
    card(aclerk, cats, agency, value="1200.00", acquired=dt.date(2024, 3, 1), life=12)
    c = card(aclerk, cats, school, value="3600.00", acquired=dt.date(2024, 6, 1), life=36)
    services.decide_change(services.request_change(a, kind="transfer", to_agency=school, user=aclerk, reason="调剂",
                                                   effective_on=dt.date(2024, 7, 1)), achief, True)
    services.decide_change(services.request_change(c, kind="scrap", user=aclerk, reason="损坏",
                                                   effective_on=dt.date(2024, 9, 15)), achief, True)
    rows = {r["agency"].code: r for r in services.annual_report(2024)}
    own, sch = rows["101001"], rows["102002"]
    assert (own["opening"], own["additions"], own["reductions"], own["closing"]) == (0, D("1200.00"), 0,
                                                                                      D("1200.00"))
    assert (sch["opening"], sch["additions"], sch["reductions"], sch["closing"]) == (0, D("7200.00"), 0,
                                                                                      D("7200.00"))
    assert own["depreciation"] == D("1000.00")  # b: March to December, 10 × 100.00
    assert sch["depreciation"] == D("1200.00") + D("300.00")  # a for 12 months; c June–August
    assert sch["net"] == D("7200.00") - D("1200.00")
    rows = {r["agency"].code: r for r in services.annual_report(2025)}
    for r in rows.values():
        assert r["opening"] + r["additions"] - r["reductions"] == r["closing"]
        assert 0 <= r["accumulated"] <= r["closing"]
    book = load_workbook(io.BytesIO(services.report_xlsx(2024)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]][:2] == ["101001", "宝鸡市财政局（本级）"]
    assert D(str(sheet.cell(3, 4).value)) == D("7200.00")


def test_the_register_card_and_report_screens(client, make_user, otp_login, aclerk, achief, cats, agency):
    pc = card(aclerk, cats, agency)
    change = services.request_change(pc, kind="scrap", user=aclerk, reason="损坏")
    user, password, device = make_user("assetview", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_assetcard"]))
    otp_login(client, "assetview", password, device)
    page = client.get("/admin/finance/assets/").content.decode()
    assert pc.number in page and "资产卡片" in page and "待审批的申请" in page
    assert "10000.00" in client.get(f"/admin/finance/assets/{pc.pk}/").content.decode()
    assert client.get("/admin/finance/assets/report/?year=2024&format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    refused = client.post(f"/admin/finance/assets/changes/{change.pk}/approve/")
    assert refused.status_code in (302, 403) and refresh(change).status == "pending"
    assert AssetChange.objects.count() == 1
