"""Re-run the engine's idempotent DDL: adds the (id, day) covering index on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    from vanthu.search import engine_postgres, engine_sqlite

    eng = engine_postgres if schema_editor.connection.vendor == "postgresql" else engine_sqlite
    with schema_editor.connection.cursor() as cur:
        eng.create_schema(cur)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_index_tables")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
