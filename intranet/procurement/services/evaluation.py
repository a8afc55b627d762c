"""Evaluation (评审), award (定标), award notice (中标公告) and the contract record.

Each evaluator scores every valid bid of the tender on every criterion. Until an evaluator has
submitted their own sheet, they see only their own scores; the totals and the ranking appear
when every assigned evaluator has submitted.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.audit.services import record
from intranet.procurement import clock, ocds
from intranet.procurement.models import Award, Contract, EvaluationSheet, OpenedBid, Score, Tender
from intranet.procurement.services.outbound import iso, publish_to_extranet

EVALUATE = "procurement.evaluate_bids"
MANAGE = "procurement.manage_tenders"


def valid_bids(tender: Tender):
    return OpenedBid.objects.filter(opening__tender=tender, valid=True).select_related("incoming", "lot")


def _sheet(tender: Tender, user) -> EvaluationSheet:
    if not user.has_perm(EVALUATE) or not tender.evaluators.filter(pk=user.pk).exists():
        raise PermissionDenied(_("You are not an evaluator of this tender."))
    if tender.status != Tender.OPENED:
        raise ValidationError(_("Bids can be evaluated only after the opening and before the award."))
    sheet, _created = EvaluationSheet.objects.get_or_create(tender=tender, evaluator=user)
    return sheet


@transaction.atomic
def save_scores(tender: Tender, user, values: dict[tuple[int, int], Decimal]) -> EvaluationSheet:
    """``values`` maps (opened bid pk, criterion pk) to a score."""
    sheet = _sheet(tender, user)
    sheet = EvaluationSheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.submitted_at:
        raise ValidationError(_("Your scores are submitted and can no longer be changed."))
    bids = {b.pk: b for b in valid_bids(tender)}
    criteria = {c.pk: c for c in tender.criteria.all()}
    for (bid_pk, criterion_pk), value in values.items():
        criterion = criteria.get(criterion_pk)
        if bid_pk not in bids or criterion is None:
            raise ValidationError(_("Unknown bid or criterion."))
        if not Decimal(0) <= value <= criterion.max_score:
            raise ValidationError(_("A score for “%(c)s” must be between 0 and %(max)s.") % {
                "c": criterion.name, "max": criterion.max_score})
        Score.objects.update_or_create(sheet=sheet, bid=bids[bid_pk], criterion=criterion, defaults={"value": value})
    record("procurement.evaluation.saved", sheet, actor=user, detail={"tender": tender.tender_id,
                                                                      "scores": len(values)})
    return sheet


@transaction.atomic
def submit_sheet(tender: Tender, user) -> EvaluationSheet:
    sheet = EvaluationSheet.objects.select_for_update().get(pk=_sheet(tender, user).pk)
    if sheet.submitted_at:
        raise ValidationError(_("Your scores are already submitted."))
    expected = valid_bids(tender).count() * tender.criteria.count()
    if sheet.scores.count() != expected:
        raise ValidationError(_("Score every bid on every criterion before submitting."))
    sheet.submitted_at = clock.now()
    sheet.save(update_fields=["submitted_at"])
    record("procurement.evaluation.submitted", sheet, actor=user, detail={"tender": tender.tender_id})
    return sheet


def all_submitted(tender: Tender) -> bool:
    evaluators = set(tender.evaluators.values_list("pk", flat=True))
    done = set(tender.sheets.filter(submitted_at__isnull=False).values_list("evaluator_id", flat=True))
    return bool(evaluators) and evaluators <= done


def visible_scores(tender: Tender, user) -> list[Score]:
    """Own scores always; other evaluators' only once one's own sheet is submitted (or, for the
    tender's managers who do not evaluate, once every evaluator has submitted)."""
    own = EvaluationSheet.objects.filter(tender=tender, evaluator=user).first()
    if own is not None and own.submitted_at:
        sheets = tender.sheets.filter(submitted_at__isnull=False)
    elif own is not None:
        sheets = tender.sheets.filter(pk=own.pk)
    elif user.has_perm(MANAGE) and all_submitted(tender):
        sheets = tender.sheets.all()
    else:
        sheets = tender.sheets.none()
    return list(Score.objects.filter(sheet__in=sheets).select_related("sheet__evaluator", "criterion", "bid"))


def ranking(tender: Tender) -> dict[int, list[dict]]:
    """Per lot number: bids by average total score (ties by lower price). Empty until all submitted."""
    if not all_submitted(tender):
        return {}
    totals: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for score in Score.objects.filter(sheet__tender=tender, sheet__submitted_at__isnull=False):
        totals[score.bid_id][score.sheet_id] += score.value
    out: dict[int, list[dict]] = defaultdict(list)
    for bid in valid_bids(tender):
        sheets = totals.get(bid.pk, {})
        average = (sum(sheets.values()) / len(sheets)).quantize(Decimal("0.01")) if sheets else Decimal("0.00")
        out[bid.lot.number].append({"bid": bid, "score": average})
    for entries in out.values():
        entries.sort(key=lambda e: (-e["score"], e["bid"].price or Decimal(0)))
        for rank, entry in enumerate(entries, start=1):
            entry["rank"] = rank
    return dict(out)


@transaction.atomic
def award(tender: Tender, user, choices: dict[int, OpenedBid]) -> list[Award]:
    """Award each lot to the chosen valid bid and publish the award notice (中标公告)."""
    if not user.has_perm(MANAGE):
        raise PermissionDenied
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.status != Tender.OPENED:
        raise ValidationError(_("Only a tender whose bids are opened can be awarded."))
    if tender.criteria.exists() and not all_submitted(tender):
        raise ValidationError(_("Every evaluator must submit their scores first."))
    ranked = ranking(tender)
    at = clock.now().replace(microsecond=0)
    awards = []
    for lot_number, bid in choices.items():
        if not bid.valid or bid.opening.tender_id != tender.pk or bid.lot.number != lot_number:
            raise ValidationError(_("Only a valid bid for that lot can be awarded."))
        awards.append(Award.objects.create(tender=tender, lot=bid.lot, bid=bid, amount=bid.price, decided_at=at,
                                           decided_by=user, published_at=at))
    if not awards:
        raise ValidationError(_("Choose a bid for at least one lot."))
    tender.status = Tender.AWARDED
    tender.save(update_fields=["status"])
    winners = {a.bid_id for a in awards}
    rank_of = {e["bid"].pk: e["rank"] for entries in ranked.values() for e in entries}
    score_of = {e["bid"].pk: e["score"] for entries in ranked.values() for e in entries}
    results = [{"bid_id": b.incoming.bid_id, "outcome": "awarded" if b.pk in winners else
                ("not_awarded" if b.valid else "invalid"), "rank": rank_of.get(b.pk)}
               for b in OpenedBid.objects.filter(opening__tender=tender).select_related("incoming")]
    publish_to_extranet("procurement.award.notice", {
        "tender_id": tender.tender_id, "published_at": iso(at),
        "awards": [{"lot": a.lot.number, "bid_id": a.bid.incoming.bid_id, "supplier_name": a.bid.incoming.company_name,
                    "uscc": a.bid.incoming.uscc, "amount": f"{a.amount:.2f}",
                    "score": f"{score_of[a.bid_id]}" if a.bid_id in score_of else None} for a in awards],
        "results": results}, ref=f"tender:{tender.tender_id}")
    ocds.publish(tender, ["award"])
    record("procurement.tender.awarded", tender, actor=user, detail={
        "tender": tender.tender_id, "awards": [{"lot": a.lot.number, "bid": a.bid.incoming.bid_id,
                                                "amount": str(a.amount)} for a in awards]})
    return awards


@transaction.atomic
def record_contract(award_row: Award, user, *, number: str, signed_on, amount: Decimal, period_end=None) -> Contract:
    if not user.has_perm(MANAGE):
        raise PermissionDenied
    if amount > award_row.amount:
        raise ValidationError(_("The contract amount cannot exceed the awarded amount."))
    contract = Contract.objects.create(award=award_row, number=number, signed_on=signed_on, amount=amount,
                                       period_end=period_end, recorded_by=user)
    ocds.publish(award_row.tender, ["contract"])
    record("procurement.contract.recorded", contract, actor=user, detail={
        "tender": award_row.tender.tender_id, "number": number, "amount": str(amount)})
    return contract
