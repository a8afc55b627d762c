"""Principal and interest are paid by separate payment applications (231 and 232 indicators).

A repayment recorded before the split keeps its single combined application as its principal
payment application; its interest payment application stays empty.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core_finance', '0003_divisions'),
        ('finance_debt', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(model_name='repayment', old_name='payment', new_name='principal_payment'),
        migrations.AlterField(
            model_name='repayment',
            name='principal_payment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='core_finance.paymentapplication',
                                    verbose_name='principal payment application'),
        ),
        migrations.AddField(
            model_name='repayment',
            name='interest_payment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='core_finance.paymentapplication',
                                    verbose_name='interest payment application'),
        ),
    ]
