"""The demo publishes the bureau's 2009 plan through the real workflow, with its paragraphs restored."""

from __future__ import annotations

import pytest

from common import demo as common_demo
from exchange.models import OutboundItem
from intranet.publishing import demo, plan2009
from intranet.publishing.models import Publication

pytestmark = pytest.mark.django_db


def test_the_plan_text_is_split_into_its_seven_parts():
    html = plan2009.load()
    for heading in ("<h2>一、当前我市财政信息化及金财工程建设的现状和存在问题</h2>",
                    "<h2>三、我市财政信息化和金财工程建设的总体要求、主要目标和工作思路</h2>",
                    "<h2>七、加快我市财政信息化及金财工程建设的主要措施</h2>"):
        assert heading in html
    assert "<p>1．机构队伍建设滞后。" in html and "<p>7．完善制度。加强安全管理。" in html
    assert html.rstrip().endswith("<p>二〇〇九年八月二十四日</p>")
    assert "“一把手”负责制" in html


def test_the_demo_queues_the_2009_plan_as_an_issued_public_policy():
    common_demo.ensure_departments({"BGS": "办公室"})
    common_demo.ensure_roles({"科员": [], "科长": [], "局领导": []})
    common_demo.ensure_users([common_demo.DemoUser("zhangwei", "张伟", "BGS", ["科员"]),
                              common_demo.DemoUser("lina", "李娜", "BGS", ["科长"]),
                              common_demo.DemoUser("liuyang", "刘洋", None, ["局领导"])])
    demo.load_demo()
    demo.load_demo()  # idempotent
    plan = Publication.objects.get(doc_number="宝市财办信〔2009〕8号")
    assert plan.status == "published" and plan.disclosure == "public" and plan.issuer == "宝鸡市财政局办公室"
    assert plan.author.username == "zhangwei" and plan.reviewer.username == "lina" and plan.approver.username == "liuyang"
    items = OutboundItem.objects.filter(message_type="portal.policy.publish", body__doc_number="宝市财办信〔2009〕8号")
    assert items.count() == 1
    body = items.get().body
    assert body["title"] == "关于加快宝鸡市财政信息化及金财工程建设的实施意见" and body["issued_on"] == "2009-08-24"
    assert OutboundItem.objects.filter(message_type="portal.dataset.publish").count() == 1
    assert OutboundItem.objects.filter(message_type="consultation.draft.publish").count() == 1
