"""The demo loads idempotently; the whole chain references its sources; every change is audited."""

import pytest

from common.audit.models import AuditEvent
from common.audit.services import verify_chain
from core_finance.models import (
    BudgetStatus,
    BudgetVersion,
    ClassificationCode,
    ClearingRecord,
    DisclosureDataset,
    Indicator,
    JournalEntry,
    PaymentApplication,
    PaymentStatus,
    PaymentVoucher,
)
from core_finance.services import indicators

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_tells_a_consistent_story(settings):
    from core_finance.demo import load_demo

    settings.JINCAI_FINANCE_PAYMENT_PLANS = True
    first = load_demo()
    assert first["budget"] and first["payments"] > 20
    counts = (Indicator.objects.count(), PaymentApplication.objects.count(), JournalEntry.objects.count())
    second = load_demo()
    assert second == {"budget": False, "payments": 0}
    assert counts == (Indicator.objects.count(), PaymentApplication.objects.count(), JournalEntry.objects.count())
    assert set(ClassificationCode.objects.values_list("year", flat=True).distinct()) == {2025, 2026}
    assert BudgetVersion.objects.filter(status=BudgetStatus.APPROVED).count() == 7
    statuses = set(PaymentApplication.objects.values_list("status", flat=True))
    assert {PaymentStatus.PAID, PaymentStatus.RETURNED, PaymentStatus.REJECTED, PaymentStatus.RESERVED} <= statuses
    assert ClearingRecord.objects.exists() and all(r.reconciled for r in ClearingRecord.objects.all())
    assert DisclosureDataset.objects.get().status == "queued"  # released by a leader, on its way to the portal
    for ind in Indicator.objects.all():
        assert ind.balance == indicators.derived(ind.pk)["balance"]

    # The chain: voucher → application → indicator → budget line → approved version; file → vouchers.
    voucher = PaymentVoucher.objects.filter(application__status=PaymentStatus.PAID).first()
    ind = voucher.application.indicator
    assert ind.budget_line.version.status == BudgetStatus.APPROVED
    assert voucher.bank_file.kind == "payment" and voucher.number in voucher.bank_file.content
    assert JournalEntry.objects.filter(source=f"payment:{voucher.application_id}").count() == 2
    assert list(verify_chain()) == []
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"finance.budget.submit", "finance.budget.department_review", "finance.budget.finance_review",
            "finance.indicator.issue_from_budget", "finance.plan.create_annual", "finance.plan.approve",
            "finance.payment.create", "finance.payment.approve", "finance.payment.reject", "finance.payment.paid",
            "finance.payment.returned", "finance.payment.refund", "finance.bank.export", "finance.bank.import",
            "finance.ledger.post", "finance.disclosure.build", "finance.disclosure.review"} <= actions
