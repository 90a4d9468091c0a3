"""`vanthu bench search`: full-text search at scale, on the engine of the configured database.

Builds (or reuses from a cache) a corpus straight into the index tables with bulk inserts, then
times 200 one-word, 200 two-word and 200 phrase queries typed without diacritics, for a person of
one organisation (permission filter on), top 20 with snippets. The baseline is the bare engine
on the same index: FTS5 MATCH ordered by bm25 / tsquery ordered by ts_rank, no permissions.

SQLite corpora live in `$VANTHU_DATA_DIR/bench/search/` (or `VANTHU_BENCH_SEARCH_CACHE`); the
PostgreSQL corpus lives in the benchmark database (never the configured one), one schema per scale.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from vanthu.bench.runner import Context, Result, ms, percentile, scenario

from . import engine_postgres, engine_sqlite
from .corpus import Corpus
from .engine import Spec
from .query import parse
from .service import snippet_for

CORPUS_VERSION = 2  # 2: search_tsv partitioned, title-only exact tokens
BATCH = 2000
KINDS = ("one", "two", "phrase")
WARMUP = 20  # untimed queries per kind before timing


def _cache_dir() -> Path:
    d = Path(os.environ.get("VANTHU_BENCH_SEARCH_CACHE") or Path(settings.DATA_DIR) / "bench" / "search")
    d.mkdir(parents=True, exist_ok=True)
    return d


class SqliteBench:
    engine = engine_sqlite
    vendor = "sqlite"

    def __init__(self, ctx: Context, scale: int):
        self.path = _cache_dir() / f"search-{scale}-v{CORPUS_VERSION}.sqlite3"
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144", "mmap_size=4294967296"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.cur = self.conn.cursor()

    def built(self) -> dict | None:
        self.cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (k TEXT PRIMARY KEY, v TEXT)")
        self.cur.execute("SELECT v FROM bench_meta WHERE k = 'build'")
        row = self.cur.fetchone()
        return eval_json(row[0]) if row else None

    def reset(self) -> None:
        engine_sqlite.drop_schema(self.cur)
        engine_sqlite.create_schema(self.cur)

    def load(self, rows) -> None:
        self.cur.execute("BEGIN")
        engine_sqlite.insert_new(self.cur, rows)
        self.cur.execute("COMMIT")

    def finish(self) -> float:
        t = time.perf_counter()
        self.cur.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
        return time.perf_counter() - t

    def mark(self, info: dict) -> None:
        self.cur.execute("INSERT OR REPLACE INTO bench_meta(k, v) VALUES ('build', ?)", [to_json(info)])


class PostgresBench:
    engine = engine_postgres
    vendor = "postgresql"

    def __init__(self, ctx: Context, scale: int):
        import psycopg

        from vanthu.bench import database

        database.create_if_missing(ctx.db)
        db = ctx.db
        self.conninfo = {k: v for k, v in {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD"),
                                           "host": db.get("HOST"), "port": db.get("PORT")}.items() if v}
        self.conn = psycopg.connect(**self.conninfo, autocommit=True)
        self.schema = f"search_bench_{scale}_v{CORPUS_VERSION}"
        self.cur = self.conn.cursor()
        self.cur.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        self.cur.execute(f"SET search_path = {self.schema}")
        self.cur.execute("SET work_mem = '32MB'")

    def built(self) -> dict | None:
        self.cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (k text PRIMARY KEY, v text)")
        self.cur.execute("SELECT v FROM bench_meta WHERE k = 'build'")
        row = self.cur.fetchone()
        return eval_json(row[0]) if row else None

    def reset(self) -> None:
        engine_postgres.drop_schema(self.cur)
        engine_postgres.create_schema(self.cur, with_indexes=False)

    def load(self, rows) -> None:
        with self.conn.transaction():
            engine_postgres.copy_rows(self.cur, rows)

    def connect(self):
        import psycopg

        return psycopg.connect(**self.conninfo, options=f"-c search_path={self.schema} -c maintenance_work_mem=1GB")

    def finish(self) -> float:
        t = time.perf_counter()
        engine_postgres.create_indexes_parallel(self.connect, _processes())
        return time.perf_counter() - t

    def mark(self, info: dict) -> None:
        self.cur.execute("INSERT INTO bench_meta(k, v) VALUES ('build', %s) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                         [to_json(info)])


def to_json(v: Any) -> str:
    import json

    return json.dumps(v)


def eval_json(s: str) -> Any:
    import json

    return json.loads(s)


CHUNK = 50_000


def _pg_load(conninfo: dict, schema: str, scale: int, ranges: list[tuple[int, int]], ready, done) -> None:
    """In a worker process: generate the documents of `ranges` (their text, as extraction would
    have left it), wait until every worker has, then index them with COPY on its own connection."""
    import psycopg

    rows = [row for start, end in ranges for row in Corpus(scale).rows(start, end)]
    conn = psycopg.connect(**conninfo, autocommit=True)
    cur = conn.cursor()
    cur.execute(f"SET search_path = {schema}")
    ready.wait()
    for i in range(0, len(rows), BATCH):
        with conn.transaction():
            engine_postgres.copy_rows(cur, rows[i:i + BATCH])
    conn.close()
    done.put(len(rows))


def build_parallel(b, corpus: Corpus, ctx: Context, workers: int) -> dict:
    """PostgreSQL: several processes index disjoint id ranges at once, then the partitions'
    indexes are built side by side. The clock starts once every process holds its documents'
    text: the goal is the indexing rate once text is extracted."""
    import multiprocessing

    ctx.say(f"  building a corpus of {corpus.scale} documents with {workers} processes…")
    b.reset()
    mp = multiprocessing.get_context("fork")
    chunks = [(s, min(s + CHUNK, corpus.scale)) for s in range(0, corpus.scale, CHUNK)]
    ready, done = mp.Barrier(workers + 1), mp.Queue()
    procs = [mp.Process(target=_pg_load, args=(b.conninfo, b.schema, corpus.scale, chunks[w::workers], ready, done))
             for w in range(workers)]
    for p in procs:
        p.start()
    ready.wait(timeout=1800)  # a process that died before it was ready breaks the barrier: raises
    started = time.perf_counter()
    indexed, reported = 0, 0
    while reported < workers:
        try:
            indexed += done.get(timeout=5)
            reported += 1
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                raise RuntimeError("an indexing process failed") from None
    insert_s = time.perf_counter() - started
    for p in procs:
        p.join()
    if indexed != corpus.scale:
        raise RuntimeError(f"indexed {indexed} documents of {corpus.scale}")
    ctx.say(f"    {indexed} documents copied in {insert_s:.1f} s; building the indexes…")
    finish_s = b.finish()
    info = {
        "scale": corpus.scale, "insert_s": round(insert_s, 1), "finish_s": round(finish_s, 1), "processes": workers,
        "total_s": round(insert_s + finish_s, 1),
        "index_docs_per_s": round(corpus.scale / (insert_s + finish_s), 1),
    }
    b.mark(info)
    info["cached"] = False
    return info


def _processes() -> int:
    """Processes that build the corpus (and, on PostgreSQL, its partitions' indexes): one per core."""
    return int(os.environ.get("VANTHU_BENCH_SEARCH_PROCESSES") or os.cpu_count() or 2)


def build(b, corpus: Corpus, ctx: Context) -> dict:
    info = b.built()
    if info and info.get("scale") == corpus.scale:
        ctx.say(f"  reusing cached corpus of {corpus.scale} documents")
        info["cached"] = True
        return info
    workers = _processes()
    if isinstance(b, PostgresBench) and workers > 1 and corpus.scale > CHUNK:
        return build_parallel(b, corpus, ctx, workers)
    ctx.say(f"  building a corpus of {corpus.scale} documents…")
    b.reset()
    insert_s, batch = 0.0, []
    started = time.perf_counter()
    for row in corpus.rows():
        batch.append(row)
        if len(batch) >= BATCH:
            t = time.perf_counter()
            b.load(batch)
            insert_s += time.perf_counter() - t
            batch = []
            if row.id % 100_000 == 0:
                ctx.say(f"    {row.id} documents, {row.id / insert_s:.0f} docs/s indexing")
    if batch:
        t = time.perf_counter()
        b.load(batch)
        insert_s += time.perf_counter() - t
    finish_s = b.finish()
    info = {
        "scale": corpus.scale, "insert_s": round(insert_s, 1), "finish_s": round(finish_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "index_docs_per_s": round(corpus.scale / (insert_s + finish_s), 1),
    }
    b.mark(info)
    info["cached"] = False
    return info


def _person_org(b) -> int:
    """A mid-sized organisation: rank 10 of the Zipf-like spread of issuers."""
    return 11


def not_visible(b, ids: set[int], org: int) -> int:
    """Hits the person's organisation neither issued nor received: must be 0 (checked, not timed)."""
    rows = b.engine.fetch_orgs(b.cur, sorted(ids))
    return sum(1 for orgs in rows.values() if not {f"i{org}", f"r{org}"} & set(orgs.split())) + len(ids - rows.keys())


def run_queries(b, corpus: Corpus, ctx: Context, n: int, bare_n: int) -> dict:
    org = _person_org(b)
    out: dict[str, Any] = {}
    # Warm up with other queries of each kind (not timed): a running server's caches are warm, and
    # the first queries of a fresh process would measure loading the index from disk instead.
    for kind in KINDS:
        for q in corpus.queries(kind, WARMUP, seed=97):
            b.engine.search(b.cur, Spec(query=parse(q), org_ids=[org], limit=20))
    for kind in KINDS:
        qs = corpus.queries(kind, n)
        times, cpu, counts, seen = [], [], [], set()
        for q in qs:
            c = time.process_time()
            t = time.perf_counter()
            spec = Spec(query=parse(q), org_ids=[org], limit=20)
            res = b.engine.search(b.cur, spec)
            texts = b.engine.fetch_text(b.cur, [h.id for h in res.hits])
            for h in res.hits:
                title, body = texts.get(h.id, ("", ""))
                snippet_for(spec.query, title, body)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            counts.append(res.count)
            seen.update(h.id for h in res.hits)
        bare = []
        for q in qs[:bare_n]:
            t = time.perf_counter()
            b.engine.bare_search(b.cur, q, 20)
            bare.append(time.perf_counter() - t)
        out[kind] = {
            "p50_ms": ms(percentile(times, 50)), "p95_ms": ms(percentile(times, 95)), "p99_ms": ms(percentile(times, 99)),
            "bare_p50_ms": ms(percentile(bare, 50)), "bare_p95_ms": ms(percentile(bare, 95)),
            "bare_p99_ms": ms(percentile(bare, 99)), "bare_queries": len(bare),
            "median_count": sorted(counts)[len(counts) // 2], "max_count": max(counts),
            "hits_not_visible": not_visible(b, seen, org), "distinct_hits": len(seen),
            # This process's CPU per query (the database server's is not in it): on a machine shared
            # with other work, wall-clock percentiles include waiting for a core.
            "client_cpu_p50_ms": ms(percentile(cpu, 50)), "client_cpu_p95_ms": ms(percentile(cpu, 95)),
        }
        ctx.say(f"  {kind:>6}: p50 {out[kind]['p50_ms']} ms  p95 {out[kind]['p95_ms']} ms  p99 {out[kind]['p99_ms']} ms"
                f"  | bare p95 {out[kind]['bare_p95_ms']} ms  | median hits visible {out[kind]['median_count']}")
    return out


@scenario("search", default_scale=100_000, manages_database=True,
          help="full-text search: one-word, two-word and phrase queries with permissions, top 20")
def search_scenario(ctx: Context) -> Result:
    vendor = ctx.db["ENGINE"].rsplit(".", 1)[-1]
    cls = SqliteBench if vendor == "sqlite3" else PostgresBench
    n = int(ctx.repeat or 200)
    # The bare PostgreSQL ranking takes seconds per query at a million documents: time fewer.
    bare_n = n if (cls is SqliteBench or ctx.scale <= 100_000) else min(n, 50)
    scales = sorted({s for s in (10_000, 100_000) if s < ctx.scale} | {ctx.scale}) if ctx.option("growth", True) else [ctx.scale]
    growth: dict[str, Any] = {}
    last: dict[str, Any] = {}
    build_info: dict[str, Any] = {}
    for scale in scales:
        ctx.say(f"scale {scale}:")
        b = cls(ctx, scale)
        corpus = Corpus(scale)
        build_info = build(b, corpus, ctx)
        ctx.say(f"  indexing: {build_info['index_docs_per_s']} docs/s (insert {build_info['insert_s']} s, finish {build_info['finish_s']} s)")
        last = run_queries(b, corpus, ctx, n, bare_n)
        growth[str(scale)] = {k: last[k]["p95_ms"] for k in KINDS}
    worst = max(last[k]["p95_ms"] for k in KINDS)
    bare_worst = max(last[k]["bare_p95_ms"] for k in KINDS)
    summary = [f"p95 growth (ms) {growth}"]
    return Result(
        scenario="search", metric="worst p95 of one-word, two-word and phrase queries", unit="ms",
        value=worst, baseline=bare_worst, summary=summary,
        details={"engine": cls.vendor, "load_average": [round(x, 1) for x in os.getloadavg()], "queries_per_kind": n, "per_kind": last, "p95_growth_ms": growth,
                 "indexing": build_info, "goal_p95_ms": 100,
                 "ok": all(last[k]["hits_not_visible"] == 0 for k in KINDS)},
    )
