"""Idempotent demo set-up of the intranet: migrate, departments, roles, staff users."""

import importlib
import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from common import demo
from core_finance.demo import load_demo as load_finance_demo
from exchange.demo import ensure_demo_keys
from intranet.oa.demo import load_demo as load_oa_demo
from intranet.procurement.demo import load_demo as load_procurement_demo
from intranet.publishing.demo import load_demo as load_publishing_demo

DEPARTMENTS = {
    "BGS": "办公室",
    "YSK": "预算科",
    "GKK": "国库科",
    "CGB": "政府采购办",
    "XXZX": "信息中心",
}
ROLES = {
    "科员": [demo.ADMIN_ACCESS],
    "科长": [demo.ADMIN_ACCESS],
    "局领导": [demo.ADMIN_ACCESS],
    "审计员": [demo.ADMIN_ACCESS, "audit.view_auditevent"],
}
USERS = [
    demo.DemoUser("admin", "系统管理员", "XXZX", superuser=True),
    demo.DemoUser("zhangwei", "张伟", "BGS", ["科员"]),
    demo.DemoUser("lina", "李娜", "BGS", ["科长"]),
    demo.DemoUser("wangfang", "王芳", "YSK", ["科员"]),
    demo.DemoUser("zhaolei", "赵磊", "GKK", ["科长"]),
    demo.DemoUser("chenjing", "陈静", "XXZX", ["审计员"]),
    demo.DemoUser("liuyang", "刘洋", None, ["局领导"]),
]


def load_module_demos() -> list:
    """Each business module may ship a ``demo.load_demo()``; it returns the logins it created, if any."""
    accounts = []
    for name in [*settings.FINANCE_MODULES, "intranet.website"]:
        try:
            module = importlib.import_module(f"{name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.demo":
                raise
            continue
        accounts += module.load_demo() or []
    return accounts


class Command(BaseCommand):
    help = "Set up the intranet demo (idempotent): migrate, create departments, roles and users."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the demo logins as JSON")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        ensure_demo_keys("intranet")
        demo.ensure_departments(DEPARTMENTS)
        demo.ensure_roles(ROLES)
        accounts = demo.ensure_users(USERS)
        accounts += load_oa_demo()
        accounts += load_procurement_demo()
        load_publishing_demo()
        load_finance_demo()
        accounts += load_module_demos()
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False))
        else:
            demo.print_accounts(self.stdout, "intranet", accounts)
