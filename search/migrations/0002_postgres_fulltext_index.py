"""PostgreSQL: a GIN index on the expression the database search backend matches against.

Wagtail's PostgreSQL backend searches ``title || body`` of its index table; separate indexes on
the two columns cannot serve that expression, so without this every search scans the table.
Other databases are left alone (SQLite uses its FTS5 table).
"""

from django.db import migrations

INDEX = "search_indexentry_title_body_gin"
TABLE = "wagtailsearch_indexentry"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (("title" || "body"))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
