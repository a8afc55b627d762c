"""Collection items name their collecting budget agency (for division scoping) instead of a free
text; remittance batches belong to a fiscal division.

An existing item's agency text becomes the budget agency of that name, created in the home
division when there is none.
"""

import django.db.models.deletion
from django.db import migrations, models


def link_agencies(apps, schema_editor):
    CollectionItem = apps.get_model("finance_nontax", "CollectionItem")
    Agency = apps.get_model("core_finance", "Agency")
    FiscalDivision = apps.get_model("core_finance", "FiscalDivision")
    for item in CollectionItem.objects.all():
        agency = Agency.objects.filter(name=item.agency_name).order_by("pk").first()
        if agency is None:
            home = FiscalDivision.objects.filter(is_home=True).first()
            agency = Agency.objects.create(code=f"NTX{item.pk:06d}", name=item.agency_name[:200], division=home)
        item.agency = agency
        item.save(update_fields=["agency"])


class Migration(migrations.Migration):

    dependencies = [
        ('core_finance', '0004_special_and_nontax_accounts'),
        ('finance_nontax', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='remittancebatch',
            name='division',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core_finance.fiscaldivision', verbose_name='fiscal division'),
        ),
        migrations.RenameField(model_name='collectionitem', old_name='agency', new_name='agency_name'),
        migrations.AddField(
            model_name='collectionitem',
            name='agency',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core_finance.agency', verbose_name='collecting agency'),
        ),
        migrations.RunPython(link_agencies, migrations.RunPython.noop),
    ]
