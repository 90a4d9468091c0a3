"""The head (number and symbol, type, subject) indexed apart from the parties.

`search_text` gains `parties`; SQLite gains `search_head` (FTS5 over the heads), PostgreSQL's
tsvectors gain the head's words `H…`. Both are filled from `search_text`, which holds everything
they are made of; rows indexed before hold the parties in `title` until `vanthu search reindex`
rebuilds them (they are found as before, and ranked as if the parties were part of the head).
Every row is rewritten: on a large index this takes about as long as `vanthu search reindex`.
"""

from django.db import migrations

BATCH = 1000


def _has_column(cur, connection, table: str, column: str) -> bool:
    return column in [c.name for c in connection.introspection.get_table_description(cur, table)]


def forward(apps, schema_editor):
    from vanthu.search import engine_postgres, engine_sqlite

    conn = schema_editor.connection
    with conn.cursor() as cur:
        # A fresh database got the current tables from 0002: nothing to change.
        if _has_column(cur, conn, "search_text", "parties"):
            return
        cur.execute("ALTER TABLE search_text ADD COLUMN parties text NOT NULL DEFAULT ''")
        last = 0
        if conn.vendor != "postgresql":
            cur.execute(engine_sqlite.HEAD_DDL)
            while True:
                cur.execute("SELECT id, orgs, meta, title, parties FROM search_text WHERE id > %s ORDER BY id LIMIT %s",
                            [last, BATCH])
                rows = cur.fetchall()
                if not rows:
                    break
                engine_sqlite.fill_head(cur, rows)
                last = rows[-1][0]
            return
        while True:
            cur.execute("SELECT id, orgs, meta, title, body FROM search_text WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH])
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany("UPDATE search_tsv SET tsv = %s::tsvector WHERE id = %s",
                            [(engine_postgres.tsvector_literal(i, orgs, meta, title, body), i) for i, orgs, meta, title, body in rows])
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("search", "0004_partitioned_tsv")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
