"""County supervision: the dashboard per township with drill-down, and the county review control
(a township payment at or above its threshold is approved only by a county supervisor)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common.audit.models import AuditEvent
from core_finance.divisions.services import supervision
from core_finance.errors import FinanceRuleError
from core_finance.models import PaymentStatus
from core_finance.services import payments
from tests.core_finance.conftest import role_user
from tests.core_finance.divisions.conftest import member
from tests.core_finance.helpers import refresh

pytestmark = pytest.mark.django_db


def test_a_large_township_payment_needs_the_county(towns):
    u, inds = towns["users"], towns["inds"]
    big = towns["pay"](inds["a"], "50000.00", u["a_clerk"])
    with pytest.raises(FinanceRuleError) as refused:
        payments.approve(big, u["a_chief"])
    assert refused.value.rule == "county_review" and "县级监管规则" in refused.value.text
    assert refresh(big).status == PaymentStatus.RESERVED
    assert refresh(inds["a"]).balance == Decimal("200000.00") - Decimal("1200.00") - Decimal("50000.00")
    with pytest.raises(FinanceRuleError):  # the home level is not this township's supervisor either
        payments.approve(big, u["home_chief"])
    plain = member(role_user("county_plain", "科长"), towns["county"])
    with pytest.raises(FinanceRuleError):  # nor is a county member who does not supervise
        payments.approve(big, plain)
    voucher = payments.approve(big, u["county_chief"])
    assert voucher.amount == Decimal("50000.00") and refresh(big).decided_by == u["county_chief"]
    assert AuditEvent.objects.filter(action="finance.payment.approve", object_id=str(big.pk)).exists()


def test_below_the_threshold_the_township_approves_and_other_divisions_have_no_threshold(towns):
    u, inds = towns["users"], towns["inds"]
    small = towns["pay"](inds["a"], "49999.99", u["a_clerk"])
    payments.approve(small, u["a_chief"])
    assert refresh(small).status == PaymentStatus.APPROVED
    large_b = towns["pay"](inds["b"], "90000.00", u["b_clerk"])  # 横渠镇 has no threshold set
    payments.approve(large_b, u["b_chief"])
    assert refresh(large_b).status == PaymentStatus.APPROVED


def test_the_refusal_is_shown_on_the_payment_screen(towns, login):
    u = towns["users"]
    big = towns["pay"](towns["inds"]["a"], "60000.00", u["a_clerk"])
    client = login(u["a_chief"])
    page = client.post(f"/admin/finance/payments/{big.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "县级监管规则" in page.content.decode()
    assert refresh(big).status == PaymentStatus.RESERVED
    client = login(u["county_chief"])
    dashboard = client.get("/admin/finance/divisions/?year=2026").content.decode()
    assert big.number in dashboard  # listed as awaiting county review
    client.post(f"/admin/finance/payments/{big.pk}/decide/", {"decision": "approve"})
    assert refresh(big).status == PaymentStatus.APPROVED


def test_the_dashboard_figures_per_division(towns):
    u = towns["users"]
    rows = {r.division.code: r for r in supervision.overview(2026, u["county_chief"])}
    assert set(rows) == {"610326", "610326100", "610326101"}
    a, b = rows["610326100"], rows["610326101"]
    assert (a.budget, a.issued, a.executed, a.paid, a.balance) == (
        Decimal("200000.00"), Decimal("200000.00"), Decimal("1200.00"), Decimal("0"), Decimal("198800.00"))
    assert (b.executed, b.balance) == (Decimal("0"), Decimal("148000.00"))  # 2,000 reserved, not executed
    assert [r.division.code for r in supervision.overview(2026, u["a_clerk"])] == ["610326100"]


def test_the_dashboard_screen_drill_down_and_export(towns, login):
    client = login(towns["users"]["county_chief"])
    page = client.get("/admin/finance/divisions/?year=2026").content.decode().replace(",", "")
    assert "首善镇" in page and "横渠镇" in page and "200000.00" in page
    detail = client.get(f"/admin/finance/divisions/{towns['a'].pk}/?year=2026").content.decode()
    assert towns["inds"]["a"].number in detail and towns["a_paid"].number in detail
    assert towns["inds"]["b"].number not in detail
    export = client.get("/admin/finance/divisions/?year=2026&format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["眉县", "首善镇", "横渠镇"] and rows[2][4] == 1200
    client = login(towns["users"]["a_clerk"])
    page = client.get("/admin/finance/divisions/?year=2026").content.decode()
    assert "首善镇" in page and "横渠镇" not in page
