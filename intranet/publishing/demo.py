"""Demo content of the publishing desk, created through the real two-step workflow.

The first publication is the bureau's 2009 plan (宝市财办信〔2009〕8号), issued and released to
the public: approving it queues it for the extranet, where the exchange publishes it.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from intranet.publishing import plan2009, services
from intranet.publishing.models import Publication

ROLE_PERMISSIONS = {
    "科员": ["publishing.add_publication", "publishing.change_publication", "publishing.view_publication",
           "publishing.delete_publication", "consultation_desk.view_case"],
    "科长": ["publishing.add_publication", "publishing.change_publication", "publishing.view_publication",
           "publishing.review_publication", "consultation_desk.view_case", "consultation_desk.approve_reply"],
    "局领导": ["publishing.view_publication", "publishing.approve_publication", "consultation_desk.view_case",
            "consultation_desk.approve_reply"],
    # The office (办公室) routes public submissions to the departments.
    "科室:办公室": ["consultation_desk.view_case", "consultation_desk.assign_case"],
}
AUTHOR, REVIEWER, APPROVER = "zhangwei", "lina", "liuyang"


def _grant() -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _plan_record() -> tuple[str, int]:
    """The portal record id of the 2009 plan and the revision to continue from.

    When the document register (intranet.oa) holds the plan and has already released it, the desk
    publishes under that record id with the next revision, so the portal shows one policy page
    (the desk's edition adds the document type, topic and restored headings), never two.
    """
    from django.apps import apps

    if apps.is_installed("intranet.oa"):
        from intranet.oa.models import Document

        doc = Document.objects.filter(agency_code="宝市财办信", year=2009, number=8).first()
        if doc is not None and doc.release_revision:
            return f"jincai-oa-{doc.pk}", doc.release_revision
    return plan2009.DOC_ID, 0


def _publish(document_id: str, users, **fields) -> Publication:
    """Create (if missing) and take a publication through submit → review → approve."""
    author, reviewer, approver = users
    pub = Publication.objects.filter(document_id=document_id).first()
    if pub is None:
        pub = services.create(author, document_id=document_id, **fields)
    elif pub.status == "draft" and fields:
        for name, value in fields.items():
            setattr(pub, name, value)
        pub.save()
    if pub.status == "draft":
        pub = services.submit(pub, author)
    if pub.status == "submitted":
        pub = services.review(pub, reviewer, accept=True, note="内容准确，同意公开。")
    if pub.status == "reviewed":
        pub = services.approve(pub, approver, note="同意发布。")
    return pub


DATASET = {
    "columns": [{"key": "c1", "label": "功能分类", "numeric": False},
                {"key": "c2", "label": "预算数", "numeric": True},
                {"key": "c3", "label": "上年执行数", "numeric": True}],
    "rows": [["一般公共服务支出", "182350", "176420"], ["公共安全支出", "95210", "91880"],
             ["教育支出", "356780", "341250"], ["科学技术支出", "28460", "25930"],
             ["社会保障和就业支出", "298640", "284310"], ["卫生健康支出", "176530", "169820"],
             ["农林水支出", "142870", "138660"], ["住房保障支出", "64320", "61750"]],
}


@transaction.atomic
def load_demo() -> list[Publication]:
    """Idempotent: running it again changes nothing."""
    _grant()
    User = get_user_model()
    try:
        users = tuple(User.objects.get(username=u) for u in (AUTHOR, REVIEWER, APPROVER))
    except User.DoesNotExist:
        return []
    for user in users:  # refresh cached permissions after _grant
        for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            user.__dict__.pop(attr, None)
    today = timezone.localdate()
    plan_id, plan_revision = _plan_record()
    if not Publication.objects.filter(document_id=plan_id).exists():
        # Continue the revisions of the official document's portal record (see _plan_record).
        services.create(users[0], document_id=plan_id, revision=plan_revision, kind="policy", title=plan2009.TITLE,
                        doc_number=plan2009.DOC_NUMBER, issuer=plan2009.ISSUER)
    plan = _publish(plan_id, users, kind="policy", title=plan2009.TITLE, doc_number=plan2009.DOC_NUMBER,
                    issuer=plan2009.ISSUER, document_type="实施意见", topic="财政信息化",
                    written_on=plan2009.WRITTEN_ON, validity="valid", disclosure="public",
                    summary="加快全市财政信息化及金财工程建设的现状分析、指导思想、总体要求和主要措施。",
                    body=plan2009.load())
    out = [plan]
    out.append(_publish("JD-2009-8", users, kind="interpretation", title="《关于加快宝鸡市财政信息化及金财工程建设的实施意见》政策解读",
                        issuer="宝鸡市财政局", topic="财政信息化", interprets=plan, disclosure="public",
                        written_on=plan2009.WRITTEN_ON,
                        body="<h2>一、出台背景</h2><p>为贯彻落实省、市财政信息化及金财工程建设工作会议精神，市财政局制定了本实施意见。</p>"
                             "<h2>二、主要内容</h2><p>实施意见分析了建设现状和存在问题，明确了指导思想、基本原则、总体要求和主要目标，"
                             "部署了公共基础建设、网络体系建设和财政核心应用系统建设等任务。</p>"))
    out.append(_publish("XW-DEMO-1", users, kind="news", title="市财政局召开财政信息化工作推进会", issuer="市财政局办公室",
                        disclosure="public", body="<p>市财政局召开财政信息化工作推进会，部署金财工程建设重点任务。</p>"))
    out.append(_publish("YS-DEMO-2026", users, kind="dataset", title=f"{today.year}年市级一般公共预算支出（示例数据）",
                        issuer="市财政局", dataset_kind="budget", fiscal_year=today.year, unit="万元", chart_type="bar",
                        summary="按支出功能分类的市级一般公共预算支出安排（演示用示例数据）。", disclosure="public",
                        dataset=DATASET))
    out.append(_publish("ZQYJ-DEMO-1", users, kind="draft", title="市级财政专项资金管理办法（征求意见稿）",
                        issuer="市财政局", disclosure="public", opens_on=today, closes_on=today + timedelta(days=30),
                        summary="现就《市级财政专项资金管理办法（征求意见稿）》公开征求社会各界意见。",
                        body="<h2>第一章 总则</h2><p>第一条 为规范市级财政专项资金管理，提高资金使用效益，制定本办法。</p>"
                             "<h2>第二章 资金分配</h2><p>第二条 专项资金按照公开、公平、公正的原则分配。</p>"
                             "<h2>第三章 监督检查</h2><p>第三条 财政部门对专项资金使用情况实施绩效评价和监督检查。</p>"))
    return out
