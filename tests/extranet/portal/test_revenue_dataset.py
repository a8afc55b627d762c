"""Revenue figures published on the intranet reach the portal as a table: the message the
intranet's revenue test produces (revenue_dataset.json, checked there) is carried across in a
signed package, imported and shown, with no taxpayer-level data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extranet.portal.models import DatasetPage
from tests.exchange_support import item, keyhomes, xenv  # noqa: F401  (real keys, private exchange state)

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).with_name("revenue_dataset.json")


def revenue_body(**extra) -> dict:
    return {**json.loads(GOLDEN.read_text(encoding="utf-8")), **extra}


def test_revenue_figures_carried_across_show_as_a_table_on_the_portal(portal, xenv, client):  # noqa: F811
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    sender = xenv.sender("intranet", "to-extranet")
    sender.send([item("portal.dataset.publish", revenue_body())])
    report = xenv.import_all()
    assert report.rejected == [] and len(report.applied) == 1
    page = DatasetPage.objects.get(record_id="finance-revenue-2026-06")
    html = client.get(page.url).content.decode()
    assert "<h1>2026年1—6月税收收入完成情况</h1>" in html and "宝鸡市财政局" in html
    for header in ("收入项目", "年初预算数", "累计完成", "完成预算（%）", "上年同期", "同比增减（%）"):
        assert f'<th scope="col" class="num">{header}</th>' in html or f'<th scope="col">{header}</th>' in html
    assert '<th scope="row">10101 增值税</th>' in html and '<th scope="row">税收收入合计</th>' in html
    assert '<td class="num">600.00</td>' in html and '<td class="num">-25.00</td>' in html
    assert '"values": ["1500.00", "400.00", "100.00", "2000.00"]' in page.chart_json()
    assert "税务局" not in html  # no collecting office, no taxpayer
    assert "2026年1—6月税收收入完成情况" in client.get("/budget/").content.decode()

    # The same month sent again (revised figures) replaces the table; an older revision never returns.
    rows = revenue_body()["rows"]
    rows[0][2] = "610.00"
    sender.send([item("portal.dataset.publish", revenue_body(revision=2, rows=rows))])
    sender.send([item("portal.dataset.publish", revenue_body(revision=1))])
    assert xenv.import_all().rejected == []
    page = DatasetPage.objects.get(record_id="finance-revenue-2026-06")
    assert page.revision == 2 and '<td class="num">610.00</td>' in client.get(page.url).content.decode()
