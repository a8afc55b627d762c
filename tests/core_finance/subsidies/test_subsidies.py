"""Subsidy invariants: one payment per person, programme and period (service and database), money
only through the indicator, bank results row by row, masked publication."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core_finance import banksim as core_banksim
from core_finance.errors import FinanceRuleError, RowErrors
from core_finance.models import PaymentApplication, PaymentStatus
from core_finance.services import bank
from core_finance.subsidies import banksim
from core_finance.subsidies.models import BatchLine, BatchStatus, Household, LineStatus
from core_finance.subsidies.services import bankfile, batches, publication
from exchange.models import OutboundItem
from tests.core_finance.helpers import refresh

D = Decimal
pytestmark = pytest.mark.django_db


def test_amounts_follow_the_standard_per_mu_rounded_to_the_fen(programme, households, sclerk):
    batch = batches.create(programme, "2026", sclerk)
    amounts = {ln.household.head_name: ln.amount for ln in batch.lines.select_related("household")}
    assert amounts["张小三"] == D("368.80")  # 3.50 mu × 105.37 = 368.795 → 368.80
    assert batch.total == sum(amounts.values()) and batch.count == 5


def test_nobody_is_paid_twice_for_a_programme_and_period(programme, households, sclerk):
    batches.create(programme, "2026", sclerk, households=households[:2])
    with pytest.raises(FinanceRuleError) as exc:
        batches.create(programme, "2026", sclerk, households=households[1:3])
    assert exc.value.rule == "double_subsidy"
    assert "李四" in exc.value.text
    rest = batches.create(programme, "2026", sclerk)  # the default selection leaves out who is already in
    assert {ln.household_id for ln in rest.lines.all()} == {h.pk for h in households[2:]}
    with pytest.raises(FinanceRuleError) as exc:
        batches.create(programme, "2026", sclerk)
    assert exc.value.rule == "batch_empty"
    assert batches.create(programme, "2026-H2", sclerk).count == 5  # another period is another payment


def test_the_database_refuses_a_second_live_payment(programme, households, sclerk):
    batch = batches.create(programme, "2026", sclerk, households=households[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.create(batch=batch, programme=programme, period="2026", household=households[0],
                                 card_number=households[0].card_number, amount=D("1.00"))


def test_batch_reserves_on_the_indicator_and_is_approved_by_someone_else(programme, households, sclerk, sapprover):
    batch = batches.submit(batches.create(programme, "2026", sclerk), sclerk)
    assert refresh(programme.indicator).balance == D("10000.00") - batch.total
    assert batch.application.amount == batch.total
    with pytest.raises(FinanceRuleError) as exc:
        batches.approve(batch, sclerk)
    assert exc.value.rule == "permission"
    batches.approve(batch, sapprover)
    assert refresh(batch).status == BatchStatus.APPROVED
    assert refresh(batch.application).status == PaymentStatus.APPROVED


def test_an_indicator_too_small_refuses_the_batch(programme, households, sclerk, make_indicator):
    programme.indicator = make_indicator("500.00", econ="30305")
    programme.save()
    batch = batches.create(programme, "2026", sclerk)
    with pytest.raises(FinanceRuleError) as exc:
        batches.submit(batch, sclerk)
    assert exc.value.rule == "indicator_overspend"
    assert refresh(batch).status == BatchStatus.DRAFT and not PaymentApplication.objects.exists()


def test_a_rejected_batch_frees_its_people_for_another_batch(programme, households, sclerk, sapprover):
    batch = batches.submit(batches.create(programme, "2026", sclerk), sclerk)
    batches.reject(batch, sapprover, "名单未经村级公示")
    assert refresh(programme.indicator).balance == D("10000.00")
    assert batches.create(programme, "2026", sclerk).count == 5


def _paid_batch(programme, sclerk, sapprover):
    """A batch approved and paid by the agent bank (core bank file and simulator)."""
    batch = batches.approve(batches.submit(batches.create(programme, "2026", sclerk), sclerk), sapprover)
    pay_file = bank.export_payment_file("ICBC", sapprover)
    result, _statement = core_banksim.simulate(pay_file.content)
    bank.import_bank_file(result.encode(), f"RESULT_{pay_file.name}", sapprover)
    assert refresh(batch.application).status == PaymentStatus.PAID
    return refresh(batch)


def test_bank_result_flags_returned_cards_and_restores_the_indicator(programme, households, sclerk, sapprover):
    batch = _paid_batch(programme, sclerk, sapprover)
    _name, data = bankfile.payout_file(batch, sclerk)
    assert data.decode().startswith(f"#JINCAI-SUBSIDY,1,{batch.number},5,{batch.total:.2f}")
    result = banksim.simulate(data.decode(), return_cards=[households[1].card_number])
    summary = bankfile.import_result(batch, result.encode(), sclerk)
    assert (summary["paid"], summary["returned"]) == (4, 1)
    returned = BatchLine.objects.get(household=households[1])
    assert returned.status == LineStatus.RETURNED and refresh(households[1]).card_flagged
    assert refresh(programme.indicator).balance == D("10000.00") - batch.total + returned.amount
    # After the card is corrected the person can be paid in a supplementary batch, once.
    Household.objects.filter(pk=households[1].pk).update(card_flagged=False, card_number="6217000099990000")
    again = batches.create(programme, "2026", sclerk)
    assert [ln.household_id for ln in again.lines.all()] == [households[1].pk]


def test_a_result_file_with_bad_rows_imports_nothing(programme, households, sclerk, sapprover):
    batch = _paid_batch(programme, sclerk, sapprover)
    _name, data = bankfile.payout_file(batch, sclerk)
    rows = banksim.simulate(data.decode()).splitlines()
    rows[2] = rows[2].replace(",PAID,", ",MAYBE,")
    rows[3] = rows[3].replace(households[1].card_number, "6217000011112222")
    rows[4] = rows[4].rsplit(",", 3)[0] + ",RETURNED,1.00,"
    with pytest.raises(RowErrors) as exc:
        bankfile.import_result(batch, "\n".join(rows).encode(), sclerk)
    assert [row for row, _m in exc.value.errors] == [3, 4, 5]
    assert not BatchLine.objects.exclude(status=LineStatus.PENDING).exists()
    assert not Household.objects.filter(card_flagged=True).exists()


def test_published_list_masks_every_personal_number(programme, households, sclerk, sapprover):
    batch = batches.approve(batches.submit(batches.create(programme, "2026", sclerk), sclerk), sapprover)
    with pytest.raises(FinanceRuleError) as exc:
        publication.publish(batch, sclerk)
    assert exc.value.rule == "permission"
    publication.publish(batch, sapprover)
    item = OutboundItem.objects.get(ref=f"finance-subsidy:{batch.pk}")
    payload = json.dumps(item.body, ensure_ascii=False)
    assert item.message_type == "portal.dataset.publish" and item.classification == "public"
    for h in households:
        assert h.id_number not in payload and h.card_number not in payload
        assert h.id_number[-4:] in payload
    assert "张*三" in payload and "欧**明" in payload and "李*" in payload and "李四" not in payload


@pytest.mark.parametrize("bad", [{"id_number": "610302197505000011"}, {"card_number": "12345"}])
def test_household_form_checks_identity_and_card_numbers(households, bad):
    data = {"head_name": "孙七", "id_number": households[0].id_number[:-4] + "9990", "town": "硖石镇",
            "village": "林家村", "card_number": "6217000012345678", "card_bank": "农商银行", "area_mu": D("1")}
    data.update(bad)
    with pytest.raises(ValidationError):
        Household(**data).full_clean()
