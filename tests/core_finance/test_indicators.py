"""Indicators: derived, row-locked balances; adjustments need a second person; transfers conserve money."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.audit.models import AuditEvent
from core_finance.errors import FinanceRuleError
from core_finance.models import DecisionStatus, Indicator, IndicatorTransaction, TxKind
from core_finance.services import indicators
from tests.core_finance.conftest import load_year
from tests.core_finance.helpers import refresh, rolled_back

pytestmark = pytest.mark.django_db
D = Decimal


def assert_caches_match(*inds):
    for ind in inds:
        ind.refresh_from_db()
        derived = indicators.derived(ind.pk)
        assert ind.balance == derived["balance"], ind.number
        assert ind.budget == derived["budget"], ind.number
        assert indicators.breakdown(ind)["available"] == ind.balance
        assert ind.balance >= 0


def test_issue_records_the_document_number_and_the_balance(make_indicator):
    ind = make_indicator("1000.00")
    assert (ind.doc_number, ind.amount, ind.balance, ind.budget) == ("宝财预〔2026〕1号", D("1000.00"),
                                                                     D("1000.00"), D("1000.00"))
    assert ind.gov_econ.code == "50201"
    tx = ind.transactions.get()
    assert (tx.kind, tx.effect, tx.status) == (TxKind.ISSUE, D("1000.00"), DecisionStatus.APPROVED)
    assert AuditEvent.objects.filter(action="finance.indicator.issue", object_id=str(ind.pk)).exists()


def test_a_pending_decrease_counts_at_once_and_a_pending_increase_only_when_approved(make_indicator, clerk, chief):
    ind = make_indicator("1000.00")
    add = indicators.request_adjustment("add", ind, "300.00", "宝财预〔2026〕5号", clerk)
    assert refresh(ind).balance == D("1000.00")  # pending increase: not yet
    dec = indicators.request_adjustment("decrease", ind, "200.00", "宝财预〔2026〕6号", clerk)
    assert refresh(ind).balance == D("800.00")  # pending decrease: at once
    assert indicators.breakdown(ind)["pending_increases"] == D("300.00")
    indicators.decide_adjustment(add, chief, True)
    assert refresh(ind).balance == D("1100.00")
    indicators.decide_adjustment(dec, chief, False, "文件未到")
    assert refresh(ind).balance == D("1300.00") == ind.budget  # a rejected decrease gives the money back
    assert_caches_match(ind)


def test_a_pending_decrease_cannot_take_more_than_is_available(make_indicator, clerk):
    ind = make_indicator("100.00")
    with pytest.raises(FinanceRuleError) as exc:
        indicators.request_adjustment("decrease", ind, "100.01", "文号", clerk)
    assert exc.value.rule == "indicator_overspend" and "指标额度控制规则" in exc.value.text
    assert refresh(ind).balance == D("100.00") and ind.adjustments.count() == 0


def test_the_creator_of_an_adjustment_never_approves_it(make_indicator, clerk, chief):
    ind = make_indicator("100.00")
    clerk.user_permissions.add(*chief.user_permissions.all())  # one person holding both roles
    clerk = type(clerk).objects.get(pk=clerk.pk)
    adj = indicators.request_adjustment("add", ind, "5.00", "文号", clerk)
    with pytest.raises(FinanceRuleError) as exc:
        indicators.decide_adjustment(adj, clerk, True)
    assert exc.value.rule == "creator_approves"
    assert refresh(adj).status == DecisionStatus.PENDING and refresh(ind).balance == D("100.00")


def test_a_transfer_creates_a_child_that_keeps_its_source_and_conserves_money(make_indicator, clerk, chief):
    source = make_indicator("1000.00", econ="30201")
    adj = indicators.request_adjustment("transfer", source, "250.00", "宝财预〔2026〕9号", clerk,
                                        target_dept_econ="30211", reason="差旅费不足")
    assert refresh(source).balance == D("750.00")
    indicators.decide_adjustment(adj, chief, True)
    child = Indicator.objects.get(source=source)
    assert (child.dept_econ.code, child.balance, child.doc_number) == ("30211", D("250.00"), "宝财预〔2026〕9号")
    assert child.transactions.get().counterpart_id == source.pk
    assert refresh(source).balance + child.balance == D("1000.00")
    assert_caches_match(source, child)


def test_a_transfer_into_an_existing_indicator(make_indicator, clerk, chief):
    a, b = make_indicator("500.00"), make_indicator("100.00", econ="30211")
    adj = indicators.request_adjustment("transfer", a, "40.00", "文号", clerk, target=b)
    indicators.decide_adjustment(adj, chief, True)
    assert (refresh(a).balance, refresh(b).balance) == (D("460.00"), D("140.00"))
    with pytest.raises(FinanceRuleError) as exc:
        indicators.request_adjustment("transfer", a, "1.00", "文号", clerk, target=a)
    assert exc.value.rule == "transfer_invalid" and "调剂规则" in exc.value.text


def test_freeze_and_unfreeze(make_indicator, chief):
    ind = make_indicator("100.00")
    indicators.freeze(ind, "30.00", chief, "冻结通知")
    assert refresh(ind).balance == D("70.00")
    with pytest.raises(FinanceRuleError) as exc:
        indicators.freeze(ind, "30.01", chief, unfreeze=True)
    assert exc.value.rule == "unfreeze_exceeds"
    indicators.freeze(ind, "30.00", chief, unfreeze=True)
    assert refresh(ind).balance == D("100.00")
    assert indicators.breakdown(ind)["frozen"] == 0


def test_carry_over_moves_the_balance_into_next_year_keeping_the_source(make_indicator, chief):
    ind = make_indicator("100.00")
    with pytest.raises(FinanceRuleError) as exc:
        indicators.carry_over(ind, 2027, "结转文号", chief)  # 2027 codes not loaded
    assert exc.value.rule == "code_invalid" and refresh(ind).balance == D("100.00")
    load_year(2027)
    new = indicators.carry_over(ind, 2027, "结转文号", chief)
    assert (new.year, new.source_id, new.balance, refresh(ind).balance) == (2027, ind.pk, D("100.00"), D("0.00"))
    assert_caches_match(ind, new)


def test_transactions_are_append_only(make_indicator):
    ind = make_indicator("100.00")
    tx = ind.transactions.get()
    tx.amount = D("1.00")
    with pytest.raises(FinanceRuleError) as exc:
        tx.save()
    assert exc.value.rule == "posted_immutable"
    with pytest.raises(FinanceRuleError):
        tx.delete()
    with pytest.raises(FinanceRuleError):
        IndicatorTransaction.objects.filter(pk=tx.pk).update(amount=D("1.00"))
    with pytest.raises(FinanceRuleError):
        IndicatorTransaction.objects.all().delete()
    assert IndicatorTransaction.objects.get(pk=tx.pk).amount == D("100.00")


def test_permissions_are_checked_per_action(make_indicator, auditor):
    ind = make_indicator("100.00")
    for call in (lambda: indicators.request_adjustment("add", ind, "1.00", "x", auditor),
                 lambda: indicators.freeze(ind, "1.00", auditor)):
        with pytest.raises(FinanceRuleError) as exc:
            call()
        assert exc.value.rule == "permission"


OPS = st.lists(st.tuples(st.sampled_from(["add", "decrease", "transfer", "freeze", "unfreeze", "decide"]),
                         st.integers(min_value=0, max_value=1),
                         st.decimals(min_value=D("0.01"), max_value=D("900.00"), places=2),
                         st.booleans()), max_size=15)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(ops=OPS)
def test_invariants_hold_after_any_sequence_of_operations(make_indicator, clerk, chief, ops):
    """Balance = amount + adds − decreases − transfers out − frozen − applied ≥ 0; cache = derived;
    a transfer moves money without creating or losing any; a refused operation changes nothing."""
    with rolled_back():
        inds = [make_indicator("1000.00"), make_indicator("500.00", econ="30211")]
        expected_total = D("1500.00")  # Σ budgets, modelled independently of the service
        pending = []
        for op, which, amount, flag in ops:
            ind = refresh(inds[which])
            before = [refresh(i).balance for i in inds]
            try:
                if op in ("add", "decrease"):
                    pending.append(indicators.request_adjustment(op, ind, amount, "文号", clerk))
                    expected_total -= amount if op == "decrease" else 0
                elif op == "transfer":
                    pending.append(indicators.request_adjustment("transfer", ind, amount, "文号", clerk,
                                                                 target=inds[1 - which]))
                    expected_total -= amount  # out of the source at once, into the target on approval
                elif op == "freeze":
                    indicators.freeze(ind, amount, chief)
                elif op == "unfreeze":
                    indicators.freeze(ind, amount, chief, unfreeze=True)
                elif pending:
                    adj = pending.pop(0)
                    indicators.decide_adjustment(adj, chief, flag, "" if flag else "不同意")
                    if adj.kind == "transfer" or (adj.kind == "add" and flag) or (adj.kind == "decrease" and not flag):
                        expected_total += adj.amount
            except FinanceRuleError:
                assert [refresh(i).balance for i in inds] == before  # refused: nothing changed
            assert_caches_match(*inds)
            assert sum(refresh(i).budget for i in inds) == expected_total
