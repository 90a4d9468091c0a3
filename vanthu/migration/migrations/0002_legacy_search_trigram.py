"""On PostgreSQL, a trigram index serves the search's substring test on legacy records' folded text
(search_source.py); SQLite scans the organisation's records instead."""

from django.db import migrations

CREATE = [
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS legacy_search_trgm ON migration_legacyrecord USING gin (search_text gin_trgm_ops)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS legacy_search_trgm")


class Migration(migrations.Migration):

    dependencies = [("migration", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
