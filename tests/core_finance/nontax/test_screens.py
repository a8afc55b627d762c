"""The non-tax and special-account screens in the Wagtail admin: they open for the right roles,
actions go through the services, refusals show in Chinese, and the Excel export downloads."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q
from openpyxl import load_workbook

from core_finance.nontax.demo import ROLE_PERMS
from core_finance.nontax.models import CollectionFile, PaymentNotice
from core_finance.special_accounts.demo import ROLE_PERMS as SA_PERMS
from core_finance.special_accounts.models import SpecialTransaction

pytestmark = pytest.mark.django_db


def login(client, make_user, otp_login, username, role):
    user, password, device = make_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        Q(content_type__app_label="finance_nontax", codename__in=ROLE_PERMS[role])
        | Q(content_type__app_label="finance_special_accounts", codename__in=SA_PERMS[role])
        | Q(codename="access_admin")))
    otp_login(client, username, password, device)
    return user


def test_clerk_issues_a_notice_and_sees_bad_bank_lines(client, make_user, otp_login, items, special):
    login(client, make_user, otp_login, "clerk1", "科员")
    page = client.get("/admin/finance/nontax/")
    assert page.status_code == 200 and "非税收入" in page.content.decode()
    response = client.post("/admin/finance/nontax/notices/new/", {
        "item": items["fixed"].pk, "payer_name": "李明", "due_date": "2026-12-31", "bank": "ICBC", "amount": ""})
    assert response.status_code == 302
    notice = PaymentNotice.objects.get()
    page = client.get("/admin/finance/nontax/").content.decode()
    assert notice.payment_code in page
    bad = (f"#JINCAI-NTX-COLLECT,1,ICBC,2026-11-20,1,90.00\npayment_code,payer_name,principal,late_fee,amount,"
           f"paid_on,bank_ref\n{notice.payment_code},李明,90.00,0.00,90.00,2026-11-20,B1\n").encode()
    client.post("/admin/finance/nontax/bank/upload/", {"file": io.BytesIO(bad)}, follow=False)
    page = client.get("/admin/finance/nontax/").content.decode()
    assert "被拒绝的行" in page and "第3行" in page and "本金" in page
    assert not CollectionFile.objects.exists()
    sheet = client.get("/admin/finance/nontax/reconciliation.xlsx?start=2026-11-01&end=2026-11-03")
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.content)).active.max_row == 4


def test_auditor_reads_but_cannot_act(client, make_user, otp_login, items, special):
    login(client, make_user, otp_login, "auditor1", "审计员")
    assert client.get("/admin/finance/nontax/reconciliation/").status_code == 200
    assert client.get("/admin/finance/special-accounts/").status_code == 200
    for listing in ("finance_nontax_items", "finance_nontax_notices", "finance_nontax_settlements",
                    "finance_special_accounts_list", "finance_special_records"):
        response = client.get(f"/admin/{listing}/?export=xlsx")
        assert response.status_code == 200, listing
        assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row >= 1
    response = client.post("/admin/finance/nontax/notices/new/", {
        "item": items["fixed"].pk, "payer_name": "李明", "due_date": "2026-12-31", "bank": "ICBC"})
    assert response.status_code in (302, 403) and not PaymentNotice.objects.exists()
    response = client.post("/admin/finance/special-accounts/records/new/", {
        "account": special.pk, "direction": "receipt", "amount": "1.00", "counterparty": "x", "purpose": "y"})
    assert response.status_code in (302, 403) and not SpecialTransaction.objects.exists()


def test_special_account_overdraw_is_refused_on_screen(client, make_user, otp_login, special):
    login(client, make_user, otp_login, "clerk2", "科员")
    response = client.post("/admin/finance/special-accounts/records/new/", {
        "account": special.pk, "direction": "disbursement", "amount": "5.00", "counterparty": "x", "purpose": "y",
        "value_date": dt.date(2026, 11, 30).isoformat()}, follow=True)
    assert "专户余额规则" in response.content.decode()
    assert not SpecialTransaction.objects.exists()
