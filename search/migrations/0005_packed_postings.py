"""Each word's postings packed into its search_term row (search.services.packs): queries read one
row per word. The impact-ordered index of the earlier ranking goes; ``version`` lets a reader that
packs a word again know whether a writer changed it meanwhile."""

from django.db import migrations

TERM = "search_term"

statements = {
    "sqlite": [f"ALTER TABLE {TERM} ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
               f"ALTER TABLE {TERM} ADD COLUMN pack BLOB"],
    # EXTERNAL: stored out of line but not compressed (reading a pack is then a copy).
    "postgresql": [f"ALTER TABLE {TERM} ADD COLUMN version bigint NOT NULL DEFAULT 0, ADD COLUMN pack bytea",
                   f"ALTER TABLE {TERM} ALTER COLUMN pack SET STORAGE EXTERNAL"],
}


def create(apps, schema_editor):
    from search.services import packs, postings

    connection = schema_editor.connection
    if connection.vendor not in statements:
        return
    for sql in statements[connection.vendor]:
        schema_editor.execute(sql)
    schema_editor.execute(f"DROP INDEX IF EXISTS {postings.IMPACT_INDEX}")
    packs.pack_all(connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in statements:
        schema_editor.execute(f"ALTER TABLE {TERM} DROP COLUMN pack")
        schema_editor.execute(f"ALTER TABLE {TERM} DROP COLUMN version")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_postings"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
