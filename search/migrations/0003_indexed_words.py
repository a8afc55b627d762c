"""The words the database backends search (search.services.dbsearch), with their full-text index.

SQLite: an FTS5 table over ``search_entrytext`` (external content: the words are stored once) kept
in step by triggers. PostgreSQL: generated ``tsvector`` columns (title weighted A, text D; the
completion words) with GIN indexes, stored in the row. Note for later migrations of EntryText: SQLite rebuilds a
table to alter it, which drops its triggers; create them again (``sqlite_statements``).
"""

import django.db.models.deletion
from django.db import migrations, models

FTS = "search_entry_fts"
TEXT = "search_entrytext"
COLUMNS = "title, body, complete"

sqlite_statements = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({COLUMNS}, content='{TEXT}', content_rowid='entry_id')",
    f"""CREATE TRIGGER IF NOT EXISTS {TEXT}_ai AFTER INSERT ON {TEXT} BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.entry_id, new.title, new.body, new.complete); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TEXT}_ad AFTER DELETE ON {TEXT} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.entry_id, old.title, old.body, old.complete);
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TEXT}_au AFTER UPDATE ON {TEXT} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.entry_id, old.title, old.body, old.complete);
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.entry_id, new.title, new.body, new.complete); END""",
]

postgres_statements = [
    f"""ALTER TABLE {TEXT} ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED""",
    f"ALTER TABLE {TEXT} ADD COLUMN completion tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, complete)) STORED",
    # Ranking reads the vector of every matching row: kept in the row (compressed at most), it is
    # read ten times faster than from the TOAST table; the plain words may go there instead.
    f"ALTER TABLE {TEXT} SET (toast_tuple_target = 8160)",
    f"ALTER TABLE {TEXT} ALTER COLUMN document SET STORAGE MAIN, ALTER COLUMN completion SET STORAGE MAIN, "
    f"ALTER COLUMN title SET STORAGE EXTERNAL, ALTER COLUMN body SET STORAGE EXTERNAL, "
    f"ALTER COLUMN complete SET STORAGE EXTERNAL",
    f"CREATE INDEX {TEXT}_document_gin ON {TEXT} USING gin (document)",
    f"CREATE INDEX {TEXT}_completion_gin ON {TEXT} USING gin (completion)",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": sqlite_statements, "postgresql": postgres_statements}.get(vendor, []):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TEXT}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_postgres_fulltext_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='EntryText',
            fields=[
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='text', serialize=False, to='search.entry')),
                ('title', models.TextField(blank=True, verbose_name='title words')),
                ('body', models.TextField(blank=True, verbose_name='text words')),
                ('complete', models.TextField(blank=True, verbose_name='completion words')),
            ],
            options={
                'verbose_name': 'indexed words',
                'verbose_name_plural': 'indexed words',
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
