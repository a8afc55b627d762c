"""Subsidy screens: the batch page shows the list and its workflow; the bank result upload
reports bad rows in Chinese; the demo loads twice and publishes a masked list."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core_finance.subsidies.models import Batch, BatchStatus, Household
from core_finance.subsidies.services import batches
from exchange.models import OutboundItem
from tests.core_finance.payroll.test_screens import login

pytestmark = pytest.mark.django_db


def test_batch_screen_and_a_bad_result_file(client, make_user, otp_login, programme, households, sclerk, sapprover):
    login(client, make_user, otp_login, "bt", "finance_subsidies.add_batch", "finance_subsidies.view_batch",
          "core_finance.add_paymentapplication", "core_finance.view_indicator")
    response = client.post("/admin/finance/subsidies/batches/new/", {"programme": programme.pk, "period": "2026"})
    batch = Batch.objects.get()
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "张小三" in page and "耕地地力保护补贴" in page
    client.post(f"/admin/finance/subsidies/batches/{batch.pk}/submit/")
    batches.approve(Batch.objects.get(), sapprover)
    bad = SimpleUploadedFile("r.csv", b"#JINCAI-SUBSIDY-RESULT,1,OTHER,1\nline_id,card_no,status,amount,reason\n",
                             content_type="text/csv")
    answer = client.post(f"/admin/finance/subsidies/batches/{batch.pk}/result/", {"file": bad}, follow=True)
    assert "代理银行" in answer.content.decode() or "批次" in answer.content.decode()
    assert not Batch.objects.get().result_imported


def test_demo_loads_twice_and_publishes_a_masked_list(db):
    from core_finance.demo import load_demo as core_demo
    from core_finance.subsidies.demo import load_demo

    core_demo()
    load_demo()
    load_demo()
    assert Batch.objects.filter(status=BatchStatus.APPROVED).count() == 1
    body = json.dumps(OutboundItem.objects.get(ref__startswith="finance-subsidy:").body, ensure_ascii=False)
    for h in Household.objects.all():
        assert h.id_number not in body and h.card_number not in body and h.head_name not in body
