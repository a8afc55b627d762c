"""Division isolation for non-tax revenue: a township's staff see and act on their own agencies'
items, notices, refunds and batches only — another division's record is a 404, lists, exports and
the reconciliation hold none of it — and the agent bank files stay with the home division."""

import io
import os
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from core_finance.errors import FinanceRuleError
from core_finance.nontax import reports, services
from core_finance.nontax.models import PaymentNotice, RemittanceBatch
from core_finance.services.base import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, otp_login):
    from common.accounts.otp import ensure_totp

    def do(user):
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        device = ensure_totp(user, os.urandom(20).hex())
        client.logout()
        otp_login(client, user.username, "Correct-Horse-42", device)
        return client

    return do


def cells(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)


def test_services_refuse_another_divisions_records(townships):
    a, b = townships["a"], townships["b"]
    with pytest.raises(FinanceRuleError) as exc:
        services.issue_notice(b["item"], payer_name="x", due_date=today(), user=a["clerk"])
    assert exc.value.rule == "division" and "横渠镇财政所" in exc.value.text
    with pytest.raises(FinanceRuleError) as exc:
        services.request_refund(b["notice"], "1.00", "多缴", a["clerk"])
    assert exc.value.rule == "division"
    refund = services.request_refund(b["notice"], "20.00", "多缴", b["clerk"])
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_refund(refund, a["chief"], True)
    assert exc.value.rule == "division"
    assert PaymentNotice.objects.get(pk=b["notice"].pk).refunded == 0


def test_a_batch_gathers_only_the_users_own_division(townships):
    a, b = townships["a"], townships["b"]
    batch = services.create_batch("treasury", a["clerk"])
    assert list(batch.notices.all()) == [a["notice"]] and batch.division == a["division"]
    with pytest.raises(FinanceRuleError) as exc:
        services.decide_batch(batch, b["chief"], True)
    assert exc.value.rule == "division"
    services.decide_batch(batch, a["chief"], True)
    assert RemittanceBatch.objects.get(pk=batch.pk).status == "approved"
    assert PaymentNotice.objects.get(pk=b["notice"].pk).remittance is None


def test_screens_lists_and_exports_hold_only_the_users_division(townships, login):
    a, b = townships["a"], townships["b"]
    client = login(a["clerk"])
    page = client.get("/admin/finance/nontax/").content.decode()
    assert a["notice"].payment_code in page and b["notice"].payment_code not in page
    assert "/nontax/bank/upload/" not in page and "notices.csv" not in page  # the home division's files
    for url, mine, theirs in (("/admin/finance_nontax_items/", "首善镇", "横渠镇"),
                              ("/admin/finance_nontax_notices/", a["notice"].number, b["notice"].number),
                              ("/admin/finance_nontax_settlements/", a["notice"].number, b["notice"].number)):
        listing = client.get(url).content.decode()
        assert mine in listing and theirs not in listing, url
        exported = cells(client.get(f"{url}?export=xlsx"))
        assert mine in exported and theirs not in exported, url
    assert "横渠镇" not in client.get("/admin/finance_nontax_notices/?item=").content.decode()
    response = client.get(f"/admin/finance/nontax/reconciliation.xlsx?start={today()}&end={today()}")
    last = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[-1]
    assert Decimal(str(last[5])) == reports.daily(today(), today(), [a["agency"].pk])[-1].pending == Decimal("120")
    assert reports.daily(today(), today())[-1].pending == Decimal("240")


def test_another_divisions_records_are_not_found(townships, login):
    a, b = townships["a"], townships["b"]
    refund = services.decide_refund(services.request_refund(b["notice"], "20.00", "多缴", b["clerk"]), b["chief"],
                                    False)
    batch = services.create_batch("treasury", b["clerk"])
    client = login(a["chief"])
    assert client.get(f"/admin/finance_nontax_notices/inspect/{a['notice'].pk}/").status_code == 200
    for url in (f"/admin/finance_nontax_notices/inspect/{b['notice'].pk}/",
                f"/admin/finance_nontax_items/edit/{b['item'].pk}/",
                "/admin/finance/nontax/bank/ICBC/notices.csv"):
        assert client.get(url).status_code == 404, url
    for url in (f"/admin/finance/nontax/refunds/{refund.pk}/approve/",
                f"/admin/finance/nontax/remittances/{batch.pk}/approve/"):
        assert client.post(url).status_code == 404, url
    client = login(a["clerk"])
    for url in (f"/admin/finance/nontax/notices/{b['notice'].pk}/cancel/",
                f"/admin/finance/nontax/notices/{b['notice'].pk}/refund/", "/admin/finance/nontax/bank/upload/"):
        assert client.post(url, {"reason": "x", "amount": "1.00"}).status_code == 404, url
    assert RemittanceBatch.objects.get(pk=batch.pk).status == "pending"
