"""Revenue progress on the portal: one portal.dataset.publish message in the to-extranet outbox with
the figures by revenue category, nothing taxpayer-level; refused when there is nothing to publish."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from core_finance.errors import FinanceRuleError
from core_finance.revenue import portal, services
from core_finance.revenue.models import RevenueCode, RevenuePublication
from tests.core_finance.revenue.conftest import csv_file, with_revenue_perms

pytestmark = pytest.mark.django_db
OFFICES = ("国家税务总局宝鸡市渭滨区税务局", "国家税务总局宝鸡市金台区税务局")
# The message the extranet's portal test carries across: both sides' tests hold to this one body.
GOLDEN = Path(__file__).resolve().parents[2] / "extranet" / "portal" / "revenue_dataset.json"
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def collected(rclerk):
    a, b = OFFICES
    services.import_file(csv_file(
        f"2025-03-01,10101,{a},400.00", f"2025-12-01,10101,{a},600.00", f"2025-04-15,10106,{b},200.00",
        f"2026-03-01,10101,{a},550.00", f"2026-05-20,10101,{b},50.00", f"2026-02-10,10106,{b},180.00",
        f"2026-06-12,10106,{b},-30.00", f"2026-07-01,10101,{a},999.00"), "rev.csv", rclerk)
    services.set_budget(2026, RevenueCode.objects.get(code="10101"), "1500.00", rclerk)
    services.set_budget(2026, RevenueCode.objects.get(code="10106"), "400.00", rclerk)
    services.set_budget(2026, RevenueCode.objects.get(code="10119"), "100.00", rclerk)


@pytest.fixture
def publisher(chief):
    return with_revenue_perms(chief, "科长")


def test_publishing_queues_one_valid_portal_message_with_the_figures(collected, publisher):
    from common.audit.models import AuditEvent
    from exchange import registry
    from exchange.models import OutboundItem

    pub = portal.publish(AS_OF, publisher)
    [item] = OutboundItem.objects.filter(channel="to-extranet")
    assert (item.message_type, item.version, item.classification) == ("portal.dataset.publish", 1, "public")
    registry.check_message(item.message_type, item.version, item.body, "to-extranet", "public", 0)
    body = item.body
    assert body["document_id"] == "finance-revenue-2026-06" and body["revision"] == 1
    assert body["title"] == "2026年1—6月税收收入完成情况" and body["fiscal_year"] == 2026
    assert [c["key"] for c in body["columns"]] == ["category", "budget", "collected", "progress", "last_year",
                                                   "growth"]
    assert body["rows"] == [
        ["10101 增值税", "1500.00", "600.00", "40.00", "400.00", "50.00"],
        ["10106 个人所得税", "400.00", "150.00", "37.50", "200.00", "-25.00"],
        ["10119 契税", "100.00", "0.00", "0.00", "0.00", None],  # budgeted, nothing collected yet
        ["税收收入合计", "2000.00", "750.00", "37.50", "600.00", "25.00"],
    ]
    text = json.dumps(body, ensure_ascii=False)
    for private in (*OFFICES, "2026-03-01", "550.00", "-30.00", "999.00"):  # offices, records, later days
        assert private not in text, private
    assert pub.figures == body and pub.outbound_ref == f"outbound:{item.pk}"
    event = AuditEvent.objects.filter(action="finance.revenue.publish").get()
    assert event.actor_id == publisher.pk
    again = portal.publish(AS_OF, publisher)  # the same month again: a new revision of the same record
    assert (again.document_id, again.revision) == (pub.document_id, 2)
    assert OutboundItem.objects.filter(channel="to-extranet").count() == 2


def test_the_message_is_the_one_the_portal_test_carries_across(collected, publisher):
    portal.publish(AS_OF, publisher)
    body = RevenuePublication.objects.get().figures
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert {k: v for k, v in body.items() if k != "published_at"} == \
        {k: v for k, v in golden.items() if k != "published_at"}


def test_nothing_to_publish_is_refused(rclerk, publisher):
    from exchange.models import OutboundItem

    services.set_budget(2026, RevenueCode.objects.get(code="10101"), "1500.00", rclerk)
    with pytest.raises(FinanceRuleError) as exc:
        portal.publish(AS_OF, publisher)
    assert exc.value.rule == "revenue_nothing_to_publish"
    assert not OutboundItem.objects.exists() and not RevenuePublication.objects.exists()


def test_publishing_needs_the_permission(collected, rclerk, auditor):
    from exchange.models import OutboundItem

    for user in (rclerk, with_revenue_perms(auditor, "审计员")):
        with pytest.raises(FinanceRuleError) as exc:
            portal.publish(AS_OF, user)
        assert exc.value.rule == "permission"
    assert not OutboundItem.objects.exists()


def test_the_publish_button_on_the_revenue_screen(client, make_user, otp_login, collected):
    from exchange.models import OutboundItem

    user, password, device = make_user("revpub", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_revenuerecord"]))
    otp_login(client, "revpub", password, device)
    page = client.get("/admin/finance/revenue/?as_of=2026-06-30").content.decode()
    assert "门户网站收入数据公开" in page and "公开截至" not in page  # no button without the permission
    refused = client.post("/admin/finance/revenue/publish/", {"as_of": "2026-06-30"})
    assert refused.status_code in (302, 403) and refused.get("Location", "") != "/admin/finance/revenue/"
    assert not OutboundItem.objects.exists()
    assert client.get("/admin/finance/revenue/publish/").status_code == 405
    user.user_permissions.add(Permission.objects.get(codename="publish_revenuefigures"))
    response = client.post("/admin/finance/revenue/publish/", {"as_of": "2026-06-30"}, follow=True)
    html = response.content.decode()
    assert "收入数据已排队发送至门户网站" in html and "2026年1—6月税收收入完成情况" in html
    assert OutboundItem.objects.filter(message_type="portal.dataset.publish").count() == 1
