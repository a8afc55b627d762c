"""Idempotent demo set-up of the extranet: migrate, the portal's page tree, editors."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from common import demo
from extranet.portal.models import HomePage, StandardPage

ROLES = {
    "门户编辑": [
        demo.ADMIN_ACCESS,
        "portal.add_standardpage", "portal.change_standardpage",
    ],
}
USERS = [
    demo.DemoUser("admin", "门户管理员", superuser=True),
    demo.DemoUser("editor", "门户编辑", roles=["门户编辑"]),
]


@transaction.atomic
def ensure_page_tree() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration creates a placeholder welcome page; replace it.
        for placeholder in root.get_children().exact_type(Page):
            placeholder.delete()
        home = HomePage(title="市财政局", slug="home",
                        intro="<p>欢迎访问市财政局门户网站：财政政策、预决算公开、政府采购与互动交流。</p>")
        root.add_child(instance=home)
        home.save_revision().publish()
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "port": 80, "root_page": home, "site_name": "市财政局",
    })
    if not home.get_children().filter(slug="about").exists():
        about = StandardPage(title="机构概况", slug="about", show_in_menus=True,
                             introduction="市财政局负责全市财政收支管理、预算编制与执行、国库集中支付和政府采购监督管理。")
        home.add_child(instance=about)
        about.save_revision().publish()
    return home


class Command(BaseCommand):
    help = "Set up the extranet demo (idempotent): migrate, page tree, portal editors."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the demo logins as JSON")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        ensure_page_tree()
        demo.ensure_roles(ROLES)
        accounts = demo.ensure_users(USERS)
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False))
        else:
            demo.print_accounts(self.stdout, "extranet", accounts)
