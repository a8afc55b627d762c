"""Impact-ordered postings and word counts for the database backends (search.services.postings),
and an index of the entries' access and facet columns by id (counting facets reads it alone).

Plain tables, no models: written and read in SQL by search.services.postings only. Filled here
from the words already indexed; ``rebuild_search_index`` fills them again at any time.
"""

from django.db import migrations, models

POSTING = "search_posting"
TERM = "search_term"

sqlite_statements = [
    f"CREATE TABLE {POSTING} (term TEXT NOT NULL, sample INTEGER NOT NULL, entry_id INTEGER NOT NULL, "
    f"impact INTEGER NOT NULL, PRIMARY KEY (term, sample)) WITHOUT ROWID",
    f"CREATE TABLE {TERM} (term TEXT NOT NULL PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
]

postgres_statements = [
    f'CREATE TABLE {POSTING} (term text COLLATE "C" NOT NULL, sample bigint NOT NULL, entry_id bigint NOT NULL, '
    f"impact integer NOT NULL, PRIMARY KEY (term, sample))",
    f'CREATE TABLE {TERM} (term text COLLATE "C" NOT NULL PRIMARY KEY, df integer NOT NULL)',
]


def create(apps, schema_editor):
    from collections import Counter

    from search.services import postings

    connection = schema_editor.connection
    statements = {"sqlite": sqlite_statements, "postgresql": postgres_statements}.get(connection.vendor)
    if statements is None:
        return
    for sql in statements:
        schema_editor.execute(sql)
    counts = Counter()
    EntryText = apps.get_model("search", "EntryText")
    rows = EntryText.objects.using(connection.alias).order_by("pk").values_list("entry_id", "title", "body")
    batch = []
    for row in rows.iterator(chunk_size=1000):
        batch.append(row)
        if len(batch) == 1000:
            postings.fill(connection, batch, counts)
            batch = []
    postings.fill(connection, batch, counts)
    postings.finish(connection, counts)  # and the impact index


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(f"DROP TABLE IF EXISTS {POSTING}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TERM}")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_indexed_words"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(fields=["id", "is_public", "kind", "year", "issuer"], name="search_entry_facets"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
