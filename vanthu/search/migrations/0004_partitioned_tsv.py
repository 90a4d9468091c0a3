"""PostgreSQL: `search_tsv` becomes hash-partitioned, and its rows lose the body's exact tokens.

The rows are rebuilt from `search_text`, which holds everything a tsvector is made of, so no
document has to be read again. SQLite is unchanged.
"""

from django.db import migrations

BATCH = 1000


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from vanthu.search import engine_postgres

    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass('search_tsv')")
        row = cur.fetchone()
        if row and row[0] == "p":
            return
        cur.execute("DROP TABLE IF EXISTS search_tsv")
        engine_postgres.create_schema(cur)
        last = 0
        while True:
            cur.execute("SELECT id, day, orgs, meta, title, body FROM search_text WHERE id > %s ORDER BY id LIMIT %s",
                        [last, BATCH])
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany("INSERT INTO search_tsv(id, day, tsv) VALUES (%s, %s, %s::tsvector)",
                            [(i, day, engine_postgres.tsvector_literal(i, orgs, meta, title, body))
                             for i, day, orgs, meta, title, body in rows])
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("search", "0003_index_tables_day_index")]
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
