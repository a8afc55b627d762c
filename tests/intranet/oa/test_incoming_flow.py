"""收文: 签收 → 登记 → 初审 → 拟办 → 批办 → 承办 → 传阅 → 催办 → 办结 → 归档; reminders and deputies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intranet.oa.models import Delegation, DocumentEvent, Task
from intranet.oa.permissions import open_tasks
from intranet.oa.services import inbox, reminders
from intranet.oa.services.documents import register_paper
from intranet.oa.workflow import TransitionRefused, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(bureau):
    def make():
        return register_paper(bureau.zhangwei, title="关于做好预算执行分析的通知", source_agency="省财政厅",
                              source_number="陕财办预〔2026〕3号", body="请做好分析。")
    return make


@pytest.fixture
def handling(bureau, received):
    def make(deadline=None):
        doc = transition(received(), "register", bureau.zhangwei)
        doc = transition(doc, "screen_pass", bureau.zhangwei)
        doc = transition(doc, "propose", bureau.lina, comment="拟请国库科办理")
        return transition(doc, "instruct", bureau.liuyang, lead_department=bureau.dept["GKK"].pk,
                          deadline=deadline or timezone.localdate() + timedelta(days=5), comment="请国库科办理")
    return make


def test_full_incoming_path(bureau, handling):
    doc = handling()
    assert doc.state == "handling" and doc.lead_department == bureau.dept["GKK"]
    assert doc.doc_number.startswith("宝市财收〔")  # the register number
    assert open_tasks(bureau.qianmin).filter(document=doc).exists()  # anyone of the lead department
    assert not open_tasks(bureau.sunli).filter(document=doc).exists()
    doc = transition(doc, "circulate", bureau.zhaolei, readers=[bureau.sunli.pk, bureau.lina.pk])
    assert doc.holder == bureau.sunli  # who has it now
    with pytest.raises(TransitionRefused):
        transition(doc, "pass_on", bureau.lina)  # not yet with her
    doc = transition(doc, "pass_on", bureau.sunli)
    assert doc.holder == bureau.lina
    doc = transition(doc, "pass_on", bureau.lina)
    assert doc.holder is None
    doc = transition(doc, "urge", bureau.zhangwei, comment="请加快办理")
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "complete", bureau.sunli, comment="已办")  # not the lead department
    assert "无权" in exc.value.messages[0]
    doc = transition(doc, "complete", bureau.qianmin, comment="已按要求完成分析并报送")
    doc = transition(doc, "archive", bureau.zhangwei, retention="30y", category="treasury")
    assert doc.state == "archived" and "-GK-D30-" in doc.archive_code


def test_screening_returns_with_reasons(bureau, received):
    doc = transition(received(), "register", bureau.zhangwei)
    with pytest.raises(TransitionRefused):
        transition(doc, "screen_return", bureau.zhangwei)
    doc = transition(doc, "screen_return", bureau.zhangwei, comment="非本机关职责范围，退回来文单位")
    assert doc.state == "returned"
    assert doc.events.last().comment.startswith("非本机关")


def test_instruction_needs_lead_department_and_a_future_deadline(bureau, received):
    doc = transition(transition(transition(received(), "register", bureau.zhangwei), "screen_pass",
                                bureau.zhangwei), "propose", bureau.lina, comment="拟办")
    with pytest.raises(TransitionRefused) as exc:
        transition(doc, "instruct", bureau.liuyang, deadline=timezone.localdate() - timedelta(days=1))
    text = " ".join(exc.value.messages)
    assert "承办科室" in text and "办理时限" in text
    doc.refresh_from_db()
    assert doc.state == "instructing" and doc.lead_department is None


def test_inbox_counts_todo_done_started(bureau, handling):
    doc = handling()
    assert inbox.counts(bureau.qianmin)["todo"] == 1
    assert inbox.counts(bureau.zhangwei) == {"todo": 0, "done": 1, "started": 1}
    assert doc in inbox.done(bureau.lina)


def test_reminder_before_deadline_and_escalation_after(bureau, handling):
    doc = handling(deadline=timezone.localdate() + timedelta(days=1))
    assert reminders.run() == {"reminded": 1, "escalated": 0}
    assert reminders.run() == {"reminded": 0, "escalated": 0}  # idempotent
    assert reminders.run(today=timezone.localdate() + timedelta(days=2))["escalated"] == 1
    leader_tasks = open_tasks(bureau.liuyang).filter(document=doc, user=bureau.liuyang)
    assert leader_tasks.count() == 1 and leader_tasks.get().escalated_at
    assert set(DocumentEvent.objects.filter(document=doc).values_list("transition", flat=True)) >= {"remind",
                                                                                                     "escalate"}
    transition(doc, "complete", bureau.zhaolei, comment="已办结")
    assert not Task.objects.filter(document=doc, step="handling", done_at__isnull=True).exists()


def test_a_deputy_acts_for_an_absent_leader_only_in_the_period(bureau, received):
    doc = transition(transition(transition(received(), "register", bureau.zhangwei), "screen_pass",
                                bureau.zhangwei), "propose", bureau.lina, comment="拟办")
    now = timezone.now()
    data = {"lead_department": bureau.dept["GKK"].pk, "deadline": timezone.localdate() + timedelta(days=3)}
    Delegation.objects.create(from_user=bureau.liuyang, to_user=bureau.lina, start=now - timedelta(days=2),
                              end=now - timedelta(days=1))
    with pytest.raises(TransitionRefused):
        transition(doc, "instruct", bureau.lina, **data)
    Delegation.objects.create(from_user=bureau.liuyang, to_user=bureau.lina, start=now - timedelta(hours=1),
                              end=now + timedelta(days=1))
    assert open_tasks(bureau.lina).filter(document=doc).exists()
    doc = transition(doc, "instruct", bureau.lina, **data)
    event = doc.events.last()
    assert (event.actor, event.on_behalf_of) == (bureau.lina, bureau.liuyang)
