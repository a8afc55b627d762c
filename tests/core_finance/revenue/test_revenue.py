"""Revenue: the import (all rows or none, per-row reasons), progress, year on year, forecast, screens."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from openpyxl import Workbook, load_workbook

from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.revenue import services
from core_finance.revenue.models import ImportBatch, RevenueCode, RevenueRecord
from tests.core_finance.revenue.conftest import csv_file

pytestmark = pytest.mark.django_db
OFFICE = "国家税务总局宝鸡市渭滨区税务局"


def test_a_tax_office_csv_is_imported(rclerk):
    data = csv_file(f"2025-03-05,10101,{OFFICE},1200000.00", f"2025/3/6,10106,{OFFICE},\"35,000.50\"",
                    f"20250307,10101,{OFFICE},-2000.00")
    batch = services.import_file(data, "入库明细.csv", rclerk)
    assert batch.rows == 3 and batch.total == D("1233000.50")
    assert RevenueRecord.objects.filter(amount__lt=0).count() == 1  # a refund (退库)
    with pytest.raises(FinanceRuleError) as exc:
        services.import_file(data, "again.csv", rclerk)
    assert exc.value.rule == "revenue_duplicate" and RevenueRecord.objects.count() == 3


def test_bad_rows_are_each_reported_and_nothing_is_imported(rclerk):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    data = csv_file(f"2025-03-05,10101,{OFFICE},100.00", f"2025-13-01,10101,{OFFICE},100.00",
                    f"2025-03-05,99999,{OFFICE},100.00", "2025-03-05,10101,,100.00",
                    f"2025-03-05,10101,{OFFICE},12.345", f"{tomorrow},10101,{OFFICE},1.00",
                    f"2025-03-05,10101,{OFFICE},abc")
    with pytest.raises(RowErrors) as exc:
        services.import_file(data, "bad.csv", rclerk)
    assert [row for row, _msg in exc.value.errors] == [3, 4, 5, 6, 7, 8]
    messages = dict(exc.value.errors)
    assert "2025-13-01" in messages[3] and "99999" in messages[4] and "缺少征收机关" in messages[5]
    assert "12.345" in messages[6] and "未来" in messages[7]
    assert not RevenueRecord.objects.exists() and not ImportBatch.objects.exists()


def test_an_excel_workbook_and_a_gb18030_csv_are_read(rclerk):
    book = Workbook()
    sheet = book.active
    sheet.append(["入库日期", "收入科目编码", "征收机关", "金额"])
    sheet.append([dt.datetime(2025, 4, 10), 10104, OFFICE, 250000.1])
    sheet.append([dt.datetime(2025, 4, 11), "10119", OFFICE, 8000])
    out = io.BytesIO()
    book.save(out)
    services.import_file(out.getvalue(), "export.xlsx", rclerk)
    services.import_file(f"date,revenue_code,office,amount\n2025-04-12,10109,{OFFICE},10.00\n".encode("gb18030"),
                         "gbk.csv", rclerk)
    assert sorted(RevenueRecord.objects.values_list("amount", flat=True)) == [D("10.00"), D("8000.00"),
                                                                               D("250000.10")]


def test_importing_needs_the_permission(auditor):
    services.load_codes()
    with pytest.raises(FinanceRuleError) as exc:
        services.import_file(csv_file(f"2025-03-05,10101,{OFFICE},1.00"), "x.csv", auditor)
    assert exc.value.rule == "permission"


def rows_for(year_totals: dict, as_of_shares: dict):
    """Two records per year for 10101: one on 1 March (the share by 30 June), the rest on 1 November."""
    rows = []
    for year, total in year_totals.items():
        early = (D(total) * D(as_of_shares[year])).quantize(D("0.01"))
        rows.append(f"{year}-03-01,10101,{OFFICE},{early}")
        if year < 2026:
            rows.append(f"{year}-12-01,10101,{OFFICE},{D(total) - early}")
    return rows


def test_progress_and_year_on_year(rclerk):
    services.import_file(csv_file(*rows_for({2025: "1000.00", 2026: "600.00"}, {2025: "0.4", 2026: "1"})),
                         "a.csv", rclerk)
    services.set_budget(2026, RevenueCode.objects.get(code="10101"), "1500.00", rclerk)
    p = services.progress(2026, dt.date(2026, 6, 30))
    row = p["rows"][0]
    assert (row["budget"], row["collected"], row["rate"]) == (D("1500.00"), D("600.00"), D("40.00"))
    assert (row["last"], row["change"], row["growth"]) == (D("400.00"), D("200.00"), D("50.00"))
    assert p["time_rate"] == D("49.59")  # 181 of 365 days


def test_the_forecast_and_its_honest_error_on_past_years(rclerk):
    # By 30 June, 2023 had collected 40 %, 2024 50 %, 2025 60 % of its year; 2026 has 550.00 so far.
    services.import_file(csv_file(*rows_for({2023: "1000.00", 2024: "2000.00", 2025: "3000.00", 2026: "550.00"},
                                            {2023: "0.4", 2024: "0.5", 2025: "0.6", 2026: "1"})), "f.csv", rclerk)
    f = services.forecast(2026, dt.date(2026, 6, 30), history=3)
    assert f["share"] == D("50.00") and f["value"] == D("1100.00")  # 550 / 0.5
    past = {p["year"]: p for p in f["past"]}
    # 2023 forecast from 2024 and 2025 (mean 55 %): 400 / 0.55 = 727.27 → error −27.27 %.
    assert past[2023]["forecast"] == D("727.27") and past[2023]["error"] == D("-27.27")
    # 2024 from 2023 and 2025 (50 %): exact. 2025 from 2023 and 2024 (45 %): 1800/0.45 = 4000 → +33.33 %.
    assert past[2024]["error"] == D("0.00") and past[2025]["error"] == D("33.33")
    assert f["mean_abs_error"] == D("20.20")


def test_no_forecast_without_a_complete_past_year(rclerk):
    services.import_file(csv_file(f"2026-03-01,10101,{OFFICE},100.00"), "g.csv", rclerk)
    f = services.forecast(2026, dt.date(2026, 6, 30))
    assert f["value"] is None and f["mean_abs_error"] is None


def test_the_dashboard_import_screen_and_excel_export(client, make_user, otp_login, rclerk):
    services.import_file(csv_file(*rows_for({2025: "1000.00", 2026: "600.00"}, {2025: "0.4", 2026: "1"})),
                         "a.csv", rclerk)
    user, password, device = make_user("revview", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_revenuerecord",
                                                                       "import_revenuerecord"]))
    otp_login(client, "revview", password, device)
    page = client.get("/admin/finance/revenue/?as_of=2026-06-30").content.decode()
    assert "<svg" in page and "增值税" in page and "年末预测" in page and "cdn" not in page.lower()
    book = load_workbook(io.BytesIO(client.get("/admin/finance/revenue/?as_of=2026-06-30&format=xlsx").content))
    assert book.worksheets[0].cell(2, 4).value == 600
    bad = io.BytesIO(csv_file("2025-03-05,10101,,1.00"))
    bad.name = "bad.csv"
    response = client.post("/admin/finance/revenue/import/", {"file": bad}, follow=True)
    assert "第2行" in response.content.decode() and "缺少征收机关" in response.content.decode()
    assert RevenueRecord.objects.count() == 3
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_revenuebudget", "view_revenuecode"]))
    assert client.get("/admin/finance_revenue_budgets/").status_code == 200
    assert "10101" in client.get("/admin/finance_revenue_records/").content.decode()
    home = client.get("/admin/").content.decode()
    assert "/admin/finance/revenue/" in home and "/admin/finance/revenue/import/" in home  # in the 财政业务 menu


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_simulated_tax_office_export_is_imported_and_a_broken_one_refused(rclerk, fmt):
    from core_finance.revenue import taxsim

    until = dt.date(2025, 2, 28)
    writer = taxsim.to_xlsx if fmt == "xlsx" else taxsim.to_csv
    with pytest.raises(RowErrors) as exc:
        services.import_file(writer(taxsim.rows([2025], until, bad_rows=True)), f"bad.{fmt}", rclerk)
    good = len(taxsim.rows([2025], until))
    assert [row for row, _m in exc.value.errors] == [good + 2, good + 3, good + 4, good + 5]
    assert not RevenueRecord.objects.exists()
    batch = services.import_file(writer(taxsim.rows([2025], until)), f"good.{fmt}", rclerk)
    assert batch.rows == good == 13 * 2 * 2 and RevenueRecord.objects.count() == good
