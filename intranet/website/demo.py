"""Demo items of the internal website (idempotent): a required-reading notice for all staff, a rule
for the budget section with an attachment, and a staff news item."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from common.accounts.models import Department

from . import services
from .models import Kind, Notice, NoticeAttachment

PERMS = {
    "科长": ["add_notice", "change_notice", "view_notice"],
    "局领导": ["add_notice", "change_notice", "view_notice", "view_all_receipts"],
}
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
ITEMS = [  # title, kind, doc number, body, departments (None: all staff), required, author
    ("关于2026年国庆节放假安排及值班工作的通知", Kind.NOTICE, "宝财办〔2026〕41号",
     "<p>各科室：国庆节放假期间请严格执行值班制度，确保财政内网和国库支付系统安全运行。</p>", None, True, "lina"),
    ("宝鸡市财政局预算指标管理办法（试行）", Kind.RULE, "宝财预〔2026〕8号",
     "<p>为规范预算指标下达、调剂和使用，制定本办法。指标调剂须保留来源，严禁无指标支付。</p>", ["YSK", "GKK"], False,
     "lina"),
    ("市财政局举办金财工程业务培训", Kind.NEWS, "",
     "<p>近日，市财政局举办金财工程应用支撑平台业务培训，各科室业务骨干参加。</p>", None, False, "lina"),
]


def load_demo() -> None:
    for role, codenames in PERMS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="intranet_website",
                                                             codename__in=codenames))
    User = get_user_model()
    for title, kind, number, body, depts, required, author in ITEMS:
        if Notice.objects.filter(title=title).exists():
            continue
        user = User.objects.filter(username=author).first()
        if user is None:
            continue
        notice = Notice.objects.create(kind=kind, title=title, doc_number=number, body=body, author=user,
                                       audience_all=depts is None, required_reading=required, is_published=True)
        if depts:
            notice.departments.set(Department.objects.filter(code__in=depts))
            notice.save()  # a ParentalManyToManyField is written when its owner is saved
        if kind == Kind.RULE:
            document = get_document_model().objects.create(
                title="预算指标管理办法（全文）", file=ContentFile(PDF, name="budget-indicator-rules.pdf"))
            NoticeAttachment.objects.create(notice=notice, document=document)
        services.saved(notice, user, created=True)
