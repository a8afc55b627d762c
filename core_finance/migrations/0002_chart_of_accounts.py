from django.db import migrations

ACCOUNTS = [
    ("1001", "可用指标", True),
    ("1002", "冻结指标", True),
    ("1011", "国库单一账户存款", True),
    ("1021", "零余额账户用款额度", True),
    ("2001", "应付国库集中支付款", False),
    ("4001", "指标来源", False),
    ("5001", "已支用指标", True),
    ("5101", "财政拨款支出", True),
]


def create(apps, schema_editor):
    LedgerAccount = apps.get_model("core_finance", "LedgerAccount")
    for code, name, debit in ACCOUNTS:
        LedgerAccount.objects.update_or_create(code=code, defaults={"name": name, "debit_nature": debit})


class Migration(migrations.Migration):
    dependencies = [("core_finance", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
