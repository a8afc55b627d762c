"""Demo data of the official document system (idempotent; called by ``setup_demo``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from common import demo
from common.accounts.models import Department
from intranet.oa import numbering, workflow
from intranet.oa.models import Document, DocumentEvent

ROLE_PERMS = {
    "科员": ["draft_document", "handle_document"],
    "科长": ["draft_document", "review_document", "handle_document"],
    "局领导": ["sign_document", "view_all_documents"],
    "审计员": ["view_all_documents"],
    "科室:办公室": ["clerk_document", "archive_document", "release_document"],
}
# A second section chief, so that a draft can be countersigned by two departments.
EXTRA_USERS = [demo.DemoUser("sunli", "孙丽", "YSK", ["科长"])]

PLAN_TITLE = "关于加快宝鸡市财政信息化及金财工程建设的实施意见"
PLAN_RECIPIENTS = "各县区财政局、局有关科室、单位"
PLAN_NUMBER_AND_RECIPIENTS = "宝市财办信8号各县区财政局.局有关科室.单位."
SEED = "seed/000_5215808cb25d18c8.txt"


def grant_permissions() -> None:
    for group_name, codenames in ROLE_PERMS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        group.permissions.add(*Permission.objects.filter(content_type__app_label="oa", codename__in=codenames))


def _seed_path():
    for base in (settings.BASE_DIR.parent / "shared", settings.BASE_DIR / "docs", settings.BASE_DIR.parent):
        path = base / SEED
        if path.exists():
            return path
    return None


def plan_body() -> str:
    """The plan's text with its headings restored (the transcription flattened punctuation to '.')."""
    path = _seed_path()
    if path is None:
        return "为贯彻落实省、市财政信息化及金财工程建设工作会议精神，现提出如下实施意见。"
    text = path.read_text(encoding="utf-8")
    body = "".join(text.split("\n")[1:])  # the first line is the title
    body = body.split(PLAN_NUMBER_AND_RECIPIENTS, 1)[-1]
    body = body.replace("二00九年八月二十四日", "").strip()
    body = re.sub(r"\.(?=[一二三四五六七八九十]\.)", "\n", body)
    body = re.sub(r"(?<=\n)([一二三四五六七八九十])\.", r"\1、", body)
    body = re.sub(r"\.(?=\d\.)", "。\n", body)
    body = re.sub(r"(?<=\n)(\d)\.", r"\1．", body)
    body = body.replace(".", "，")
    return "\n".join(line.rstrip("，") + ("" if line.endswith(("。", "、")) else "。") for line in body.split("\n"))


def _users():
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=["zhangwei", "lina", "wangfang", "zhaolei",
                                                                      "liuyang", "sunli"])}


def _event(doc, name, frm, to, actor, comment="", **data):
    DocumentEvent.objects.create(document=doc, transition=name, from_state=frm, to_state=to, actor=actor,
                                 comment=comment, data=data)


def load_plan(users) -> Document:
    """The bureau's 2009 plan, 宝市财办信〔2009〕8号: issued, archived, released to the portal."""
    from intranet.oa.flows import archive
    from intranet.oa.services.release import release_to_portal
    from intranet.oa.services.render import store_pdf

    doc = Document.objects.filter(agency_code="宝市财办信", year=2009, number=8).first()
    if doc is None:
        bgs = Department.objects.get(code="BGS")
        doc = Document(kind=Document.OUTGOING, state="issued", doc_type="opinion", direction="down",
                       issuing_agency="宝鸡市财政局文件", agency_code="宝市财办信", year=2009, number=8,
                       signer_name=str(users["liuyang"]), title=PLAN_TITLE, main_recipients=PLAN_RECIPIENTS,
                       body=plan_body(), signature_agency="宝鸡市财政局", written_date=date(2009, 8, 24),
                       note="此件公开发布", cc="省财政厅，市政府办公室", printing_agency="宝鸡市财政局办公室",
                       printed_date=date(2009, 8, 24), disclosure="public", department=bgs,
                       created_by=users["zhangwei"], signed_by=users["liuyang"])
        numbering.reserve_up_to("宝市财办信", 2009, 8)
        doc.save()
        store_pdf(doc)
        doc.save()
        for name, frm, to, who in (("draft", "", "draft", "zhangwei"), ("submit", "draft", "reviewing", "zhangwei"),
                                   ("review_pass", "reviewing", "signing", "lina"),
                                   ("sign", "signing", "signed", "liuyang"),
                                   ("assign_number", "signed", "numbered", "zhangwei"),
                                   ("issue", "numbered", "issued", "zhangwei")):
            _event(doc, name, frm, to, users[who], comment="2009年纸质办理，系统补录")
        extra = archive(doc, users["zhangwei"], users["zhangwei"], {"retention": "permanent",
                                                                   "category": "information"})
        doc.state = "archived"
        doc.save(archiving=True)
        _event(doc, "archive", "issued", "archived", users["zhangwei"], **extra)
    if doc.release_revision == 0:
        release_to_portal(doc, users["zhangwei"])
    return doc


def _draft(users, title, who, **fields):
    from intranet.oa.services.documents import create_draft

    doc = Document.objects.filter(title=title).first()
    return doc, doc is None and create_draft(users[who], title=title, **fields)


def load_examples(users) -> None:
    from intranet.oa.services.documents import register_paper

    body = ("为做好2027年部门预算编制工作，现将有关事项通知如下。\n一、报送范围\n局属各预算单位。\n"
            "二、报送时间\n请于规定时间前报送预算编制材料。\n三、联系方式\n预算科。")
    _draft(users, "关于报送2027年部门预算编制材料的通知", "zhangwei", doc_type="notice",
           main_recipients="局属各单位", body=body, attachment_notes="部门预算编制表")
    _, new = _draft(users, "关于开展国库集中支付动态监控工作的通知", "zhangwei", doc_type="notice",
                      main_recipients="局属各单位", body="为加强国库集中支付管理，决定开展动态监控工作。")
    if new:
        new = workflow.transition(new, "submit", users["zhangwei"])
        ys, gk = Department.objects.get(code="YSK"), Department.objects.get(code="GKK")
        workflow.transition(new, "review_pass", users["lina"], countersign_departments=[ys.pk, gk.pk])
    _, new = _draft(users, "关于2026年度财政信息化建设情况的报告", "zhangwei", doc_type="report",
                      direction="up", main_recipients="省财政厅", body="现将我市2026年度财政信息化建设情况报告如下。")
    if new:
        new = workflow.transition(new, "submit", users["zhangwei"])
        workflow.transition(new, "review_pass", users["lina"])
    title = "关于做好年度预算执行分析工作的通知"
    if not Document.objects.filter(title=title).exists():
        doc = register_paper(users["zhangwei"], title=title, source_agency="省财政厅", source_number="陕财办预〔2026〕3号",
                             body="请各市财政局做好年度预算执行分析。", main_recipients="各市财政局")
        for name, who, data in (("register", "zhangwei", {}), ("screen_pass", "zhangwei", {}),
                                ("propose", "lina", {"comment": "拟请国库科牵头办理"}),
                                ("instruct", "liuyang", {"lead_department": Department.objects.get(code="GKK").pk,
                                                         "deadline": timezone.localdate() + timedelta(days=7),
                                                         "comment": "请国库科办理"})):
            doc = workflow.transition(doc, name, users[who], **data)


@transaction.atomic
def load_demo() -> list[dict]:
    """Permissions for the demo roles, an extra section chief, and demo documents. Returns extra logins."""
    grant_permissions()
    accounts = demo.ensure_users(EXTRA_USERS)
    grant_permissions()
    users = _users()
    if not all(k in users for k in ("zhangwei", "lina", "liuyang")):
        return accounts
    load_plan(users)
    load_examples(users)
    return accounts
