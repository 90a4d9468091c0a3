"""The index tables, created with the DDL of the engine of the database in use."""

from django.db import migrations


def create(apps, schema_editor):
    from vanthu.search import engine_postgres, engine_sqlite

    eng = engine_postgres if schema_editor.connection.vendor == "postgresql" else engine_sqlite
    with schema_editor.connection.cursor() as cur:
        eng.create_schema(cur)


def drop(apps, schema_editor):
    from vanthu.search import engine_postgres, engine_sqlite

    eng = engine_postgres if schema_editor.connection.vendor == "postgresql" else engine_sqlite
    with schema_editor.connection.cursor() as cur:
        eng.drop_schema(cur)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
