"""Create the chain head and make the audit table append-only in the database itself."""

from django.db import migrations

from common.audit import triggers


def forwards(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)
    triggers.install(schema_editor.execute, schema_editor.connection.vendor)


def backwards(apps, schema_editor):
    triggers.drop(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
