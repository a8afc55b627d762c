"""Special account movements move from the module's own sub-ledger to the core ledger.

Every approved record's posting is carried into the core ledger as the journal entry the services
now post (Dr 1031 / Cr 4031 for a receipt, Dr 5031 / Cr 1031 for a disbursement, source
``special:<number>``), then the sub-ledger is dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


ACCOUNTS = {"1031": ("财政专户存款", True), "4031": ("财政专户管理资金收入", False),
            "5031": ("财政专户管理资金支出", True)}


def move_postings(apps, schema_editor):
    SpecialTransaction = apps.get_model("finance_special_accounts", "SpecialTransaction")
    LedgerAccount = apps.get_model("core_finance", "LedgerAccount")
    JournalEntry = apps.get_model("core_finance", "JournalEntry")
    JournalLine = apps.get_model("core_finance", "JournalLine")
    NumberSequence = apps.get_model("core_finance", "NumberSequence")
    approved = SpecialTransaction.objects.filter(status="approved").select_related("account").order_by("pk")
    if not approved.exists():
        return
    accounts = {code: LedgerAccount.objects.get_or_create(code=code, defaults={"name": name, "debit_nature": d})[0]
                for code, (name, d) in ACCOUNTS.items()}
    for tx in approved:
        source = f"special:{tx.number}"
        if JournalEntry.objects.filter(source=source).exists():
            continue
        sequence, _created = NumberSequence.objects.get_or_create(key=f"JZ{tx.value_date.year}")
        sequence.last += 1
        sequence.save()
        entry = JournalEntry.objects.create(number=f"JZ{tx.value_date.year}-{sequence.last:06d}", date=tx.value_date,
                                            memo=f"{tx.number} {tx.account.name}：{tx.purpose}"[:300], source=source,
                                            created_by_id=tx.decided_by_id)
        debit, credit = ("1031", "4031") if tx.direction == "receipt" else ("5031", "1031")
        JournalLine.objects.create(entry=entry, account=accounts[debit], debit=tx.amount, credit=0)
        JournalLine.objects.create(entry=entry, account=accounts[credit], debit=0, credit=tx.amount)


class Migration(migrations.Migration):

    dependencies = [
        ('core_finance', '0004_special_and_nontax_accounts'),
        ('finance_special_accounts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='specialtransaction',
            options={'ordering': ['-pk'], 'permissions': [('approve_specialtransaction', 'Can approve special account receipts and disbursements'), ('void_specialtransaction', 'Can void approved special account records')], 'verbose_name': 'special account transaction', 'verbose_name_plural': 'special account transactions'},
        ),
        migrations.AddField(
            model_name='specialtransaction',
            name='voided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='voided at'),
        ),
        migrations.AddField(
            model_name='specialtransaction',
            name='voided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='voided by'),
        ),
        migrations.AlterField(
            model_name='specialtransaction',
            name='status',
            field=models.CharField(choices=[('pending', 'awaiting approval'), ('approved', 'approved and posted'), ('rejected', 'rejected'), ('voided', 'voided (reversed in the ledger)')], default='pending', max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(move_postings, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='SubLedgerLine',
        ),
    ]
