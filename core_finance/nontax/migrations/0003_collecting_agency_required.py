"""The collecting agency is required (a migration of its own: PostgreSQL alters no table with the
previous migration's pending foreign-key checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('finance_nontax', '0002_collecting_agency_and_division'),
    ]

    operations = [
        migrations.RemoveField(model_name='collectionitem', name='agency_name'),
        migrations.AlterField(
            model_name='collectionitem',
            name='agency',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core_finance.agency', verbose_name='collecting agency'),
        ),
    ]
