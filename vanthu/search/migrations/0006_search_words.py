"""The vocabulary typo correction looks in (`typos.py`): the words of every indexed head and
sender's lines, filled from `search_text` (a fresh database got the table from 0002)."""

from collections import namedtuple

from django.db import migrations

BATCH = 2000
Row = namedtuple("Row", "title parties")


def forward(apps, schema_editor):
    from vanthu.search import engine_postgres, engine_sqlite
    from vanthu.search.engine import vocabulary

    conn = schema_editor.connection
    eng = engine_postgres if conn.vendor == "postgresql" else engine_sqlite
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("CREATE TABLE IF NOT EXISTS search_words (word text PRIMARY KEY)")
        else:
            cur.execute(engine_sqlite.WORDS_DDL)
        last = 0
        while True:
            cur.execute("SELECT id, title, parties FROM search_text WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH])
            rows = cur.fetchall()
            if not rows:
                break
            eng.add_words(cur, vocabulary([Row(t, p) for _i, t, p in rows]))
            last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_head_apart")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
