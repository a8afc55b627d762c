"""Idempotent demo set-up of the extranet: migrate, exchange keys, the portal's page tree, editors."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from common import demo
from exchange.demo import ensure_demo_keys
from extranet.portal import tree
from extranet.portal.models import ArticlePage, StandardPage
from extranet.procurement.demo import load_demo as load_procurement_demo

ROLES = {
    "门户编辑": [
        demo.ADMIN_ACCESS,
        "portal.add_standardpage", "portal.change_standardpage",
        "portal.add_articlepage", "portal.change_articlepage",
        "portal.add_sectionindexpage", "portal.change_sectionindexpage",
        "portal.change_homepage",
    ],
}
USERS = [
    demo.DemoUser("admin", "门户管理员", superuser=True),
    demo.DemoUser("editor", "门户编辑", roles=["门户编辑"]),
]


@transaction.atomic
def ensure_page_tree():
    home = tree.ensure_tree()
    if not home.get_children().filter(slug="about").exists():
        about = StandardPage(title="机构概况", slug="about", show_in_menus=True,
                             introduction="市财政局负责全市财政收支管理、预算编制与执行、国库集中支付和政府采购监督管理。")
        home.add_child(instance=about)
        about.save_revision().publish()
    news = tree.section_by_slug("news")
    if not ArticlePage.objects.filter(slug="portal-launch").exists():
        from django.utils import timezone

        article = ArticlePage(
            title="市财政局门户网站改版上线", slug="portal-launch", kind="news", date=timezone.now(),
            issuer="市财政局办公室", summary="新版门户提供政策文件库、预决算公开、互动交流和意见征集等栏目。",
            body=[("paragraph", "<p>新版门户网站正式上线，提供政策文件库、预决算公开、信息公开目录、互动交流和意见征集等栏目，"
                                "并支持大字模式和高对比度模式。</p>")])
        news.add_child(instance=article)
        article.save_revision().publish()
    _grant_editor_pages(home)
    return home


def _grant_editor_pages(home) -> None:
    """Portal editors may edit and publish under the home page (official records stay read-only)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.get(name="门户编辑")
    for codename in ("add_page", "change_page", "publish_page"):
        perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=perm)


class Command(BaseCommand):
    help = "Set up the extranet demo (idempotent): migrate, keys, page tree, portal editors."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the demo logins as JSON")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        ensure_demo_keys("extranet")
        demo.ensure_roles(ROLES)
        ensure_page_tree()
        accounts = demo.ensure_users(USERS)
        accounts += load_procurement_demo()
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False))
        else:
            demo.print_accounts(self.stdout, "extranet", accounts)
