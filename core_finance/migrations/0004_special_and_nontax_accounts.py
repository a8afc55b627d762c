"""Accounts for the special fiscal accounts (财政专户) and non-tax revenue (非税收入) modules.

Modelled on the 财政总预算会计制度 accounts: 财政专户存款 and 财政专户管理资金收入/支出 for the money
the treasury holds in special accounts; 应缴财政款 for non-tax revenue collected at the agent banks'
汇缴结算户 and not yet remitted; 非税收入 for what reached the treasury (一般公共预算本级收入).
"""

from django.db import migrations

ACCOUNTS = [
    ("1031", "财政专户存款", True),
    ("1041", "非税收入汇缴结算户存款", True),
    ("2031", "应缴财政款", False),
    ("4021", "非税收入", False),
    ("4031", "财政专户管理资金收入", False),
    ("5031", "财政专户管理资金支出", True),
]


def create(apps, schema_editor):
    LedgerAccount = apps.get_model("core_finance", "LedgerAccount")
    for code, name, debit in ACCOUNTS:
        LedgerAccount.objects.update_or_create(code=code, defaults={"name": name, "debit_nature": debit})


class Migration(migrations.Migration):
    dependencies = [("core_finance", "0003_divisions")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
