"""Intranet demo: procurement roles and staff, and one published tender with its documents."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from common import demo
from intranet.procurement import clock
from intranet.procurement.models import Criterion, Lot, ProcurementPlan, Tender
from intranet.procurement.services import plans, publishing

ROLES = {
    "采购经办": [demo.ADMIN_ACCESS, "procurement.manage_tenders", "procurement.review_suppliers"],
    "开标人": [demo.ADMIN_ACCESS, "procurement.open_bids"],
    "评审专家": [demo.ADMIN_ACCESS, "procurement.evaluate_bids"],
}
USERS = [
    demo.DemoUser("caigou", "钱进", "CGB", ["采购经办"]),
    demo.DemoUser("kaibiao", "周强", "CGB", ["开标人"]),
    demo.DemoUser("pingshen1", "吴敏", None, ["评审专家"]),
    demo.DemoUser("pingshen2", "郑浩", None, ["评审专家"]),
]
REFERENCE = "BJCZ-CG-2026-001"
PLAN_TITLE = "全市财政一体化系统运维服务"


def _pdf(title: str) -> bytes:
    text = title.encode("ascii", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
            b"% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _plan(manager) -> ProcurementPlan:
    """The demo plan draws on an issued indicator of the bureau when core finance's demo has one;
    otherwise it is recorded the way plans were before indicators were linked."""
    from core_finance.models import Indicator

    budget = Decimal("1200000.00")
    indicator = Indicator.objects.filter(year=2026, balance__gte=budget).order_by("agency__code", "number").first()
    if indicator is None:
        plan, _ = ProcurementPlan.objects.get_or_create(year=2026, title=PLAN_TITLE, defaults={
            "department": "市财政局信息中心", "budget_amount": budget, "method": "open",
            "status": ProcurementPlan.LEGACY, "created_by": manager})
        return plan
    plan, _ = ProcurementPlan.objects.get_or_create(year=2026, title=PLAN_TITLE, defaults={
        "agency": indicator.agency, "indicator": indicator, "budget_amount": budget, "method": "open",
        "created_by": get_user_model().objects.get(username="kaibiao")})
    if plan.status == ProcurementPlan.DRAFT:
        plans.approve(plan, manager)
    return ProcurementPlan.objects.get(pk=plan.pk)


@transaction.atomic
def load_demo() -> list[dict]:
    demo.ensure_roles(ROLES)
    accounts = demo.ensure_users(USERS)
    if Tender.objects.filter(reference=REFERENCE).exists():
        return accounts
    manager = get_user_model().objects.get(username="caigou")
    plan = _plan(manager)
    now = clock.now().replace(microsecond=0)
    tender = Tender.objects.create(
        plan=plan, reference=REFERENCE, title="财政一体化系统运维服务采购项目", method="open",
        buyer="市财政局", agency="市公共资源交易中心", budget=Decimal("1000000.00"), bid_security=Decimal("20000.00"),
        description="采购财政一体化系统（预算、指标、支付、核算）三年运维服务。分两个包：软件运维与硬件维保。",
        clarification_deadline=now + timedelta(days=15), bid_deadline=now + timedelta(days=21, hours=1),
        opening_at=now + timedelta(days=21, hours=1), opening_place="市公共资源交易中心开标室（网上开标）",
        contact="钱进 0917-0000001", created_by=manager)
    Lot.objects.create(tender=tender, number=1, title="软件运维服务", budget=Decimal("700000.00"))
    Lot.objects.create(tender=tender, number=2, title="硬件维保服务", budget=Decimal("300000.00"))
    for n, (name, score) in enumerate([("价格", "30"), ("技术方案", "50"), ("商务与服务", "20")]):
        Criterion.objects.create(tender=tender, name=name, max_score=Decimal(score), position=n)
    tender.evaluators.set(get_user_model().objects.filter(username__in=["pingshen1", "pingshen2"]))
    for title in ("招标文件", "技术需求书"):
        publishing.add_document(tender, title, ContentFile(_pdf(title), name=f"{title}.pdf"), manager)
    publishing.publish(tender, manager)
    return accounts
