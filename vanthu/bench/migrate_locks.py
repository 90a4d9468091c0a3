"""`migrate-locks`: how long a writer waits while migrations run on a big documents table
(PostgreSQL; issue 22 §6). Default scale: 1,000,000 documents.

The documents table is filled to N rows with one INSERT … SELECT over generate_series (kept between
runs: a second run adds only what is missing). A writer thread on a connection of its own then
inserts documents one transaction each, without pause, while in turn:

- `idle`: nothing else runs: the writer's unblocked insert time (the baseline);
- `latest documents migration`: the documents app's last migration, unapplied before the writer
  starts, is applied again with Django's MigrationExecutor (today 0015: a foreign-key column and a plain index on documents,
  written before any installation held data, allowed by name in tests/test_migrations_safe.py);
- `plain index`: CREATE INDEX on documents (what `AddIndex` runs), then DROP INDEX;
- `concurrent index`: CREATE INDEX CONCURRENTLY (what `AddIndexConcurrently` runs, the pattern the
  migration check asks of new migrations), then DROP INDEX CONCURRENTLY.

Each phase reports how long it took and the longest a writer's insert that started meanwhile
waited. The figure: the longest wait during the latest documents migration, against the writer's
median unblocked insert (ratio = how many unblocked inserts' time the writer stood still).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from vanthu.documents.models import Document, DocumentType
from vanthu.organizations.models import Organization

from .database import other_columns
from .runner import Context, Result, median, ms, percentile, scenario

FILL_CHUNK = 200_000
INDEX = "bench_lock_subject"
GIVEN = ("doc_type_id", "issuer_id", "subject", "created_at")


class Writer(threading.Thread):
    """Inserts documents, one autocommitted statement each, and keeps (start, seconds) of each."""

    def __init__(self, params: dict[str, Any], insert: str, values: list[Any]) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(**params, autocommit=True)
        self.insert, self.values = insert, values
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with self.conn.cursor() as cur:
            while not self.stop.is_set():
                t = time.perf_counter()
                cur.execute(self.insert, self.values)
                self.samples.append((t, time.perf_counter() - t))
                time.sleep(0.002)  # a busy office, not a bulk load: leaves the CPU to the migration
        self.conn.close()

    def between(self, t0: float, t1: float) -> list[float]:
        return [d for t, d in list(self.samples) if t0 <= t < t1]


def _params() -> dict[str, Any]:
    s = connection.settings_dict
    return {k: v for k, v in {"dbname": s["NAME"], "host": s.get("HOST") or None, "port": s.get("PORT") or None,
                              "user": s.get("USER") or None, "password": s.get("PASSWORD") or None}.items() if v}


def _fill(ctx: Context, n: int, org_id: int, type_id: int) -> float | None:
    """Bring the documents table to n rows with bare SQL; the seconds it took (None: already there)."""
    have = Document.objects.count()
    if have >= n:
        return None
    cols, defaults = other_columns(Document, set(GIVEN))
    names = ", ".join([*GIVEN, *cols])
    placeholders = ", ".join(["%s"] * len(cols))
    started = time.monotonic()
    with connection.cursor() as cur:
        for lo in range(have + 1, n + 1, FILL_CHUNK):
            hi = min(n, lo + FILL_CHUNK - 1)
            cur.execute(
                f"INSERT INTO documents_document ({names}) SELECT %s, %s, 'Văn bản số ' || g, "
                f"now() - make_interval(secs => g), {placeholders} FROM generate_series(%s, %s) g",
                [type_id, org_id, *defaults, lo, hi])
            ctx.say(f"documents: {hi:,} of {n:,}")
        cur.execute("ANALYZE documents_document")
    return time.monotonic() - started


def _phase(ctx: Context, writer: Writer, name: str, work) -> dict[str, Any]:
    time.sleep(0.3)
    t0 = time.perf_counter()
    work()
    t1 = time.perf_counter()
    time.sleep(0.3)
    waits = writer.between(t0, t1)
    out = {"seconds": round(t1 - t0, 3), "writer_inserts": len(waits),
           "writer_max_ms": ms(max(waits, default=0.0)), "writer_p99_ms": ms(percentile(waits, 99))}
    ctx.say(f"{name}: {out}")
    return out


@scenario("migrate-locks", default_scale=1_000_000, tiny=2_000, small=100_000,
          help="the longest a writer waits while migrations run on N documents (PostgreSQL)")
def run_migrate_locks(ctx: Context) -> Result:
    metric = "longest insert wait during the latest documents migration"
    if connection.vendor != "postgresql":
        return Result(ctx.scenario, metric, "ms", 0.0, 0.0, details={
            "ok": False, "reason": "PostgreSQL only: SQLite locks the whole database for any write"})
    org = Organization.objects.order_by("pk").first() or Organization.objects.create(
        kind="bloc", name="Đảng ủy Khối (bench)", short_name="ĐU", code="000.00.00.H26", term_label="2025-2030")
    doc_type = DocumentType.objects.order_by("pk").first()
    built = _fill(ctx, ctx.scale, org.id, doc_type.id)
    rows = Document.objects.count()

    cols, defaults = other_columns(Document, set(GIVEN))
    insert = (f"INSERT INTO documents_document ({', '.join([*GIVEN, *cols])}) "
              f"VALUES ({', '.join(['%s'] * (len(GIVEN) + len(cols)))})")
    writer = Writer(_params(), insert, [doc_type.id, org.id, "Văn bản của người viết", timezone.now(), *defaults])
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes("documents")[0]
    before = executor.loader.graph.node_map[leaf].parents
    previous = sorted(p.key for p in before if p.key[0] == "documents")[0]

    def migration_forward() -> None:
        MigrationExecutor(connection).migrate([leaf])

    def run_sql(*statements: str):
        def work() -> None:
            with connection.cursor() as cur:
                for s in statements:
                    cur.execute(s)
        return work

    with connection.cursor() as cur:
        cur.execute(f"DROP INDEX IF EXISTS {INDEX}")
    # The migration is unapplied before the writer starts: unapplying it under a writer deadlocks
    # (its DROP TABLE of the delegations waits for the writer's foreign-key check, which waits
    # for it), and the upgrade's direction is forward.
    ctx.say(f"unapplying {leaf[1]}")
    executor.migrate([previous])
    writer.start()
    phases: dict[str, dict[str, Any]] = {}
    try:
        idle_from = time.perf_counter()
        time.sleep(ctx.sized(tiny=1.0, small=2.0, default=3.0))
        idle = writer.between(idle_from, time.perf_counter())
        phases["latest documents migration"] = _phase(ctx, writer, f"{leaf[1]} applied", migration_forward)
        phases["plain index"] = _phase(ctx, writer, "CREATE INDEX", run_sql(
            f"CREATE INDEX {INDEX} ON documents_document (subject)"))
        phases["plain index drop"] = _phase(ctx, writer, "DROP INDEX", run_sql(f"DROP INDEX {INDEX}"))
        # Outside a transaction, as AddIndexConcurrently runs in a migration with atomic = False.
        assert connection.get_autocommit()
        phases["concurrent index"] = _phase(ctx, writer, "CREATE INDEX CONCURRENTLY", run_sql(
            f"CREATE INDEX CONCURRENTLY {INDEX} ON documents_document (subject)"))
        phases["concurrent index drop"] = _phase(ctx, writer, "DROP INDEX CONCURRENTLY", run_sql(
            f"DROP INDEX CONCURRENTLY {INDEX}"))
    finally:
        writer.stop.set()
        writer.join(30)
    unblocked = median(idle)
    worst = max((d for _t, d in writer.samples), default=0.0)
    value = phases["latest documents migration"]["writer_max_ms"]
    summary = [f"{rows:,} documents; the writer's unblocked insert: {ms(unblocked)} ms (median of {len(idle)})"]
    summary += [f"  {name:28} {p['seconds']:8.2f} s   writer waited up to {p['writer_max_ms']:9.1f} ms"
                for name, p in phases.items()]
    return Result(
        ctx.scenario, metric, "ms", value, ms(unblocked), summary=summary,
        details={"documents": rows, "build_s": None if built is None else round(built, 1), "migration": leaf[1],
                 "phases": phases, "writer_unblocked_ms": ms(unblocked), "writer_worst_ms": ms(worst),
                 "samples": len(writer.samples), "baseline_samples": len(idle),
                 "concurrent_index_ratio": round(phases["concurrent index"]["writer_max_ms"] / max(ms(unblocked), 1e-3), 1),
                 "plain_index_ratio": round(phases["plain index"]["writer_max_ms"] / max(ms(unblocked), 1e-3), 1)},
    )
