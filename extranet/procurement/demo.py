"""The extranet's demo supplier: approved, with an OTP device (credentials in demo-accounts.json)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from common import demo
from extranet.procurement.models import Supplier

DEMO_USCC = "91610301MA6X000014"  # check character computed with extranet.procurement.uscc


@transaction.atomic
def load_demo() -> list[dict]:
    accounts = demo.ensure_users([demo.DemoUser("supplier", "宝鸡市示范科技有限公司")])
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="supplier")
    Supplier.objects.update_or_create(user=user, defaults={
        "company_name": "宝鸡市示范科技有限公司", "uscc": DEMO_USCC, "legal_representative": "王明",
        "address": "陕西省宝鸡市渭滨区经二路1号", "business_scope": "信息技术服务；计算机软硬件销售",
        "contacts": [{"name": "王明", "phone": "0917-0000000", "email": "supplier@example.invalid", "role": "联系人"}],
        "status": Supplier.APPROVED, "submitted_at": timezone.now(), "reviewed_at": timezone.now(),
        "review_note": "演示供应商",
    })
    return accounts
