"""Evaluation, award, contract, OCDS open data; supplier review."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from exchange.models import OutboundItem
from intranet.procurement import ocds
from intranet.procurement.models import OpenedBid, SupplierRegistration
from intranet.procurement.services import evaluation, opening, publishing
from tests.conftest import current_token
from tests.intranet.procurement.conftest import apply, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(sealer, opener, settings, role_user):
    tender = sealer.tender
    a = sealer.bid(company="甲公司", price="500000.00")
    b = sealer.bid(company="乙公司", uscc="911101080828461726", price="450000.00")
    sealer.close([(a, 1), (b, 1)])
    e1, e2 = role_user("pingshen1", "evaluate_bids")[0], role_user("pingshen2", "evaluate_bids")[0]
    tender.evaluators.set([e1, e2])
    settings.JINCAI_PROCUREMENT_NOW = tender.bid_deadline
    opening.open_bids(tender, opener[0], current_token(opener[2]))
    tender.refresh_from_db()
    return tender, e1, e2


def _score_all(tender, evaluator, values):
    bids = {b.incoming.company_name: b for b in evaluation.valid_bids(tender)}
    criteria = list(tender.criteria.all())
    evaluation.save_scores(tender, evaluator, {(bids[name].pk, c.pk): Decimal(v)
                                               for name, row in values.items() for c, v in zip(criteria, row, strict=False)})


def test_evaluators_see_others_scores_only_after_submitting(opened):
    tender, e1, e2 = opened
    _score_all(tender, e1, {"甲公司": ("20", "60"), "乙公司": ("30", "50")})
    _score_all(tender, e2, {"甲公司": ("22", "65"), "乙公司": ("28", "55")})
    assert {s.sheet.evaluator for s in evaluation.visible_scores(tender, e1)} == {e1}
    evaluation.submit_sheet(tender, e1)
    assert {s.sheet.evaluator for s in evaluation.visible_scores(tender, e1)} == {e1}  # e2 has not submitted
    assert {s.sheet.evaluator for s in evaluation.visible_scores(tender, e2)} == {e2}
    assert evaluation.ranking(tender) == {}
    evaluation.submit_sheet(tender, e2)
    assert {s.sheet.evaluator for s in evaluation.visible_scores(tender, e1)} == {e1, e2}
    with pytest.raises(ValidationError):
        _score_all(tender, e1, {"甲公司": ("30", "70"), "乙公司": ("0", "0")})  # submitted: frozen
    ranked = evaluation.ranking(tender)[1]
    assert [(e["bid"].incoming.company_name, e["score"], e["rank"]) for e in ranked] == [
        ("甲公司", Decimal("83.50"), 1), ("乙公司", Decimal("81.50"), 2)]


def test_scores_are_bounded_and_complete(opened):
    tender, e1, _ = opened
    with pytest.raises(ValidationError):
        _score_all(tender, e1, {"甲公司": ("31", "60")})
    _score_all(tender, e1, {"甲公司": ("20", "60")})
    with pytest.raises(ValidationError):
        evaluation.submit_sheet(tender, e1)  # 乙公司 not scored


def test_award_notice_contract_and_ocds(opened, manager):
    tender, e1, e2 = opened
    for ev in (e1, e2):
        _score_all(tender, ev, {"甲公司": ("20", "60"), "乙公司": ("30", "50")})
        evaluation.submit_sheet(tender, ev)
    winner = OpenedBid.objects.get(incoming__company_name="甲公司")
    evaluation.award(tender, manager, {1: winner})
    notice = OutboundItem.objects.get(message_type="procurement.award.notice")
    assert notice.body["awards"][0]["supplier_name"] == "甲公司" and notice.body["awards"][0]["amount"] == "500000.00"
    assert {r["outcome"] for r in notice.body["results"]} == {"awarded", "not_awarded"}
    award = tender.awards.get()
    with pytest.raises(ValidationError):
        evaluation.record_contract(award, manager, number="HT-1", signed_on=date(2026, 5, 1), amount=Decimal("500000.01"))
    evaluation.record_contract(award, manager, number="HT-2026-001", signed_on=date(2026, 5, 1),
                               amount=Decimal("500000.00"), period_end=date(2029, 4, 30))
    releases = ocds.release_package(tender)
    record = ocds.record_package(tender)
    assert ocds.errors(releases, "release") == []
    assert ocds.errors(record, "record") == []
    tags = [r["tag"][0] for r in releases["releases"]]
    assert tags == ["tender", "tenderUpdate", "award", "contract"]
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["awards"][0]["value"] == {"amount": 500000.0, "currency": "CNY"}
    assert compiled["contracts"][0]["id"] == "contract-HT-2026-001"
    assert compiled["tender"]["numberOfTenderers"] == 2
    # Every release travelled to the extranet with the record as JSON attachments.
    assert OutboundItem.objects.filter(message_type="procurement.ocds.release").count() == 4
    # The schema check is real: a broken release is reported.
    broken = dict(releases, releases=[dict(releases["releases"][0], tag="not-a-list")])
    assert ocds.errors(broken, "release")


def test_supplier_review_travels_back(manager, tmp_path, extranet_key):
    for n, code in enumerate(["91350100M000100Y43", "91350100M000100Y44"]):
        apply("procurement.supplier.register", {
            "registration_id": f"{n}" * 32, "supplier_id": f"{n + 2}" * 32, "company_name": f"公司{n}", "uscc": code,
            "legal_representative": "张三", "address": "宝鸡", "contacts": [{"name": "张三"}],
            "submitted_at": "2026-03-01T00:00:00Z", "files": [{"title": "营业执照"}]},
            [("licence.pdf", pdf_bytes("licence", 2000), "application/pdf")], tmp_path, extranet_key)
    good, bad = SupplierRegistration.objects.order_by("registration_id")
    assert good.uscc_valid and not bad.uscc_valid and good.files.count() == 1
    with pytest.raises(ValidationError):
        publishing.review_supplier(bad, manager, approve=True)
    publishing.review_supplier(good, manager, approve=True, note="资料齐全")
    item = OutboundItem.objects.get(message_type="procurement.supplier.review")
    assert item.body["decision"] == "approved" and item.body["supplier_id"] == good.supplier_id
