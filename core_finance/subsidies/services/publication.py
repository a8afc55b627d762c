"""Publication of a batch's beneficiary list (惠民惠农补贴公示) on the portal.

It travels like core finance's disclosure tables: one ``portal.dataset.publish`` message on the
to-extranet channel (core_finance.services.disclosure's message type), classification public. Only
masked personal data leaves: 张*三-style names, identity and card numbers reduced to their last 4.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.audit.services import record
from core_finance.payroll import rules
from core_finance.payroll.rules import mask_name, mask_tail
from core_finance.services import disclosure, scope
from core_finance.services.base import require_state
from core_finance.subsidies.models import Batch, BatchStatus, LineStatus

COLUMNS = [
    {"key": "town", "label": "乡镇", "numeric": False},
    {"key": "village", "label": "村（社区）", "numeric": False},
    {"key": "name", "label": "户主姓名", "numeric": False},
    {"key": "id_number", "label": "身份证号（后四位）", "numeric": False},
    {"key": "card_no", "label": "“一卡通”账号（后四位）", "numeric": False},
    {"key": "amount", "label": "补贴金额（元）", "numeric": True},
]


def message_body(batch: Batch) -> dict:
    programme = batch.programme
    lines = batch.lines.select_related("household").exclude(status=LineStatus.VOID).order_by(
        "household__town", "household__village", "pk")
    rows = [[ln.household.town, ln.household.village, mask_name(ln.household.head_name),
             mask_tail(ln.household.id_number), mask_tail(ln.card_number), f"{ln.amount:.2f}"] for ln in lines]
    issuer = programme.indicator.agency.department().name
    return {
        "document_id": f"subsidy-{batch.number}"[:64],
        "revision": 1,
        "title": f"{programme.name}{batch.period}补贴发放公示（{batch.number}）"[:500],
        "kind": "other",
        "fiscal_year": programme.year,
        "issuer": issuer[:200],
        "unit": "元",
        "description": (f"依据{programme.legal_basis}，{programme.name}（标准："
                        f"{programme.standard}元/{'户' if programme.basis == 'household' else '亩'}）"
                        f"共{len(rows)}户。如有异议，请于公示之日起7日内向乡镇财政所反映。")[:4000],
        "columns": COLUMNS,
        "rows": rows or [["本表无数据", None, None, None, None, None]],
        "published_at": timezone.now().isoformat(timespec="seconds"),
        "disclosure": "public",
    }


def publish(batch: Batch, user) -> Batch:
    rules.require(user, "finance_subsidies.publish_batch", _("publish beneficiary lists"))
    scope.require_agency(user, batch.programme.indicator.agency)
    from exchange.services.outbox import enqueue

    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        require_state(batch, [BatchStatus.APPROVED], batch.number, pgettext("workflow action", "publish"))
        if batch.published_ref:
            raise rules.deny("published", _("[Disclosure rule] the list of %(number)s has already been sent.")
                             % {"number": batch.number})
        item = enqueue("to-extranet", disclosure.MESSAGE_TYPE, disclosure.MESSAGE_VERSION, message_body(batch),
                       classification="public", ref=f"finance-subsidy:{batch.pk}", actor=user)
        batch.published_ref = f"outbound:{item.pk}"
        batch.save(update_fields=["published_ref"])
        record("finance.subsidies.batch.publish", batch, detail={"outbound_item": item.pk}, actor=user)
    return batch
