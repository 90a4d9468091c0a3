"""`vanthu bench search`: full-text search at scale, the way a request runs it.

The dataset: a synthetic corpus (`vanthu.search.corpus`) of N documents of 120 organisations,
written into a benchmark database of its own (one per scale, kept for later runs): the
organisations, each document's row (for the hits' hydration) and its index row, in the index
tables the app's migrations create, with the engine of the configured database. A person is a
member of one mid-sized organisation (id 11).

Measured, per query kind (one word, two words, a quoted phrase, typed without diacritics):
`GET /api/v1/search?q=…&limit=20` through Django's test client with the person's API token,
which is the path a request takes: the person's permission spec from their memberships, the
engine's query on the app's own connection (with the SQLite cache and mmap settings of
`settings.py`), snippets, and the hydration of the hits from the documents table, as JSON.

Baseline: the bare engine answering the same query with the same permission filter on the same
connection, ranked by the engine itself (FTS5 `bm25` / `ts_rank` over every match), counting
matches up to the same cap as VanThu's, then reading the top 20 documents' rows. Every query
runs both ways, interleaved. Every hit VanThu returns is checked against the person's
organisations (`hits_not_visible` must be 0), and each count against the bare engine's
(`count_mismatches`: on PostgreSQL VanThu matches a phrase by its word pairs, which may count a
document holding the pairs apart; SQLite's phrases are FTS5's own, so there it is 0).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import time
from datetime import UTC, datetime
from datetime import time as day_time
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django.db import connection

from vanthu.accounts.models import User
from vanthu.documents.models import Document, DocumentType
from vanthu.organizations.models import Membership, Organization, OrgKind, Role
from vanthu.search import engine_postgres, engine_sqlite
from vanthu.search.corpus import Corpus, org_names
from vanthu.search.engine import COUNT_CAP, IndexRow, check_token
from vanthu.search.query import Clause, parse

from . import database, world
from .runner import Context, Result, ms, percentile, scenario

CORPUS_VERSION = 5  # 3: documents' rows beside the index, in the app's own tables; 4: head apart from parties; 5: the reader a clerk
BATCH = 2000
CHUNK = 50_000  # documents per task of a parallel PostgreSQL build
KINDS = ("one", "two", "phrase")
WARMUP = 20  # untimed queries per kind before timing
PERSON_ORG = 11  # a mid-sized organisation: rank 10 of the Zipf-like spread of issuers
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
READER = "bench-search-reader"


# --- the dataset -----------------------------------------------------------------------------

META = "CREATE TABLE IF NOT EXISTS bench_meta (k TEXT PRIMARY KEY, v TEXT)"  # how the dataset was built


def _built(raw: database.Raw) -> dict | None:
    cur = raw.cursor()
    raw.execute(cur, META)
    raw.execute(cur, "SELECT v FROM bench_meta WHERE k = 'build'")
    row = cur.fetchone()
    return json.loads(row[0]) if row else None


def _mark(raw: database.Raw, info: dict) -> None:
    cur = raw.cursor()
    raw.execute(cur, META)
    raw.execute(cur, "DELETE FROM bench_meta WHERE k = 'build'")
    raw.execute(cur, "INSERT INTO bench_meta (k, v) VALUES ('build', %s)", [json.dumps(info)])


class DocumentRows:
    """Each corpus row's document, as the documents table stores it (for the hits' hydration)."""

    GIVEN = ["id", "issuer_id", "doc_type_id", "subject", "urgency", "status", "source", "register_key", "number",
             "symbol", "issued_date", "issued_at", "place", "signer_name", "page_count", "created_at"]

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self.types = dict(DocumentType.objects.values_list("code", "id"))
        extra_cols, self.extra = database.other_columns(Document, set(self.GIVEN))
        self.cols = self.GIVEN + extra_cols
        self.table = Document._meta.db_table

    def values(self, r: IndexRow) -> tuple:
        # The corpus's title: "n-CODE/SHORT", type, subject; its parties: issuer, signer, recipients, date.
        lines = r.title.split(" \n") + r.parties.split(" \n")
        number = int(lines[0].split("-", 1)[0])
        issued = datetime.combine(datetime.strptime(str(r.day), "%Y%m%d").date(), day_time(8), HCM)
        # SQLite's columns hold naive UTC text, as Django writes them.
        at = str(issued.astimezone(UTC).replace(tzinfo=None)) if self.sqlite else issued
        day = issued.date().isoformat() if self.sqlite else issued.date()
        return (r.id, r.issuer_id, self.types.get(r.doc_type) or self.types["CV"], lines[2][:500], r.urgency, "issued",
                "internal", f"out:{r.doc_type}:2025-2030", number, lines[0], day, at, "Hà Nội", lines[4][:200], 1, at,
                *self.extra)

    def write(self, cur, rows: list[IndexRow]) -> None:
        if self.sqlite:
            marks = ", ".join("?" * len(self.cols))
            cur.executemany(f"INSERT INTO {self.table} ({', '.join(self.cols)}) VALUES ({marks})", [self.values(r) for r in rows])
        else:
            with cur.copy(f"COPY {self.table} ({', '.join(self.cols)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(self.values(r))


def _organizations() -> None:
    """The corpus's organisations with the ids its index rows name (1..120), and the reader."""
    Organization.objects.bulk_create([
        Organization(id=i + 1, kind=OrgKind.BLOC_COMMITTEE if i == 0 else OrgKind.GRASSROOTS_COMMITTEE, name=name,
                     short_name=short, code=f"B.SEARCH.{i + 1}", parent_id=None if i == 0 else 1)
        for i, (name, short) in enumerate(org_names())
    ])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            table = Organization._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    reader = User(username=READER, full_name="Người tìm kiếm thử tải")
    reader.set_unusable_password()
    reader.save()
    # A clerk: all of the organisation's correspondence, as the bare side's filter (a specialist sees only
    # what is assigned or shared to them).
    Membership.objects.create(user=reader, organization_id=PERSON_ORG, role=Role.CLERK)


def _conninfo(db: dict) -> dict:
    return {k: v for k, v in {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD"),
                              "host": db.get("HOST"), "port": db.get("PORT")}.items() if v}


def _pg_load(conninfo: dict, scale: int, ranges: list[tuple[int, int]], doc_rows: DocumentRows, ready, done) -> None:
    """In a forked process: generate the documents of `ranges` (their text, as extraction would
    have left it), wait until every process has, then write them with COPY on its own connection."""
    rows = [row for start, end in ranges for row in Corpus(scale).rows(start, end)]
    conn = psycopg.connect(**conninfo, autocommit=True)
    cur = conn.cursor()
    ready.wait()
    for i in range(0, len(rows), BATCH):
        with conn.transaction():
            doc_rows.write(cur, rows[i:i + BATCH])
            engine_postgres.copy_rows(cur, rows[i:i + BATCH])
    conn.close()
    done.put(len(rows))


def _processes() -> int:
    """Processes that build a PostgreSQL corpus (and its partitions' indexes): one per core."""
    return int(os.environ.get("VANTHU_BENCH_SEARCH_PROCESSES") or os.cpu_count() or 2)


def _build(ctx: Context, db: dict, corpus: Corpus) -> dict:
    """A fresh database holding the corpus; returns the indexing figures."""
    database.prepare(db, fresh=True)
    _organizations()
    raw = database.Raw()
    doc_rows = DocumentRows(raw.sqlite)
    cur = raw.cursor()
    workers = _processes()
    started = time.perf_counter()
    if raw.sqlite:
        insert_s = 0.0
        batch: list[IndexRow] = []
        for row in corpus.rows():
            batch.append(row)
            if len(batch) >= BATCH or row.id == corpus.scale:
                with raw.transaction():
                    doc_rows.write(cur, batch)
                    t = time.perf_counter()
                    engine_sqlite.insert_new(cur, batch)
                    insert_s += time.perf_counter() - t
                batch = []
        t = time.perf_counter()
        raw.execute(cur, "INSERT INTO search_fts(search_fts) VALUES('optimize')")
        finish_s = time.perf_counter() - t
    else:
        # Indexes are built once, after the load, the way a full reindex does it.
        engine_postgres.drop_schema(cur)
        engine_postgres.create_schema(cur, with_indexes=False)
        conninfo = _conninfo(db)
        chunks = [(s, min(s + CHUNK, corpus.scale)) for s in range(0, corpus.scale, CHUNK)]
        workers = max(1, min(workers, len(chunks)))
        ctx.say(f"  {corpus.scale} documents with {workers} process(es)…")
        mp = multiprocessing.get_context("fork")
        ready, done = mp.Barrier(workers + 1), mp.Queue()
        connection.close()  # a forked child must not share the parent's socket
        procs = [mp.Process(target=_pg_load, args=(conninfo, corpus.scale, chunks[w::workers], doc_rows, ready, done))
                 for w in range(workers)]
        for p in procs:
            p.start()
        ready.wait(timeout=1800)  # a process that died before it was ready breaks the barrier: raises
        t = time.perf_counter()
        written = reported = 0
        while reported < workers:
            try:
                written += done.get(timeout=5)
                reported += 1
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in procs):
                    raise RuntimeError("an indexing process failed") from None
        insert_s = time.perf_counter() - t
        for p in procs:
            p.join()
        if written != corpus.scale:
            raise RuntimeError(f"wrote {written} documents of {corpus.scale}")
        ctx.say(f"  copied in {insert_s:.1f} s; building the indexes…")
        t = time.perf_counter()
        engine_postgres.create_indexes_parallel(
            lambda: psycopg.connect(**conninfo, options="-c maintenance_work_mem=1GB"), workers)
        finish_s = time.perf_counter() - t
        raw = database.Raw()
        cur = raw.cursor()
        table = Document._meta.db_table
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute(f"VACUUM ANALYZE {table}")  # Django's connection is in autocommit mode
    info = {
        "scale": corpus.scale, "version": CORPUS_VERSION, "insert_s": round(insert_s, 1), "finish_s": round(finish_s, 1),
        "processes": 1 if raw.sqlite else workers, "total_s": round(time.perf_counter() - started, 1),
        "index_docs_per_s": round(corpus.scale / max(insert_s + finish_s, 1e-6), 1),
    }
    _mark(raw, info)
    return info


def dataset(ctx: Context, scale: int) -> tuple[dict, dict]:
    """Switch to the database of this scale's corpus, building it when missing; (db, build info)."""
    db = database.variant(ctx.db, str(scale))
    info = None
    if database.exists(db):
        database.prepare(db)
        info = _built(database.Raw())
        if info and (info.get("scale"), info.get("version")) == (scale, CORPUS_VERSION) \
                and Document.objects.count() == scale:
            ctx.say(f"  reusing the corpus of {scale} documents in {database.label_of(db)}")
            return db, info | {"cached": True}
    ctx.say(f"  building a corpus of {scale} documents in {database.label_of(db)}…")
    return db, _build(ctx, db, Corpus(scale)) | {"cached": False}


# --- the bare engine -------------------------------------------------------------------------

def _fts_phrase(c: Clause) -> str:
    return '"' + " ".join(check_token(t) for t in c.tokens) + '"' + ("*" if c.prefix else "")


def _ts_phrase(c: Clause) -> str:
    toks = [f"'{check_token(t)}'" for t in c.tokens]
    if c.prefix:
        toks[-1] += ":*"
    return toks[0] if len(toks) == 1 else "(" + " <-> ".join(toks) + ")"


class Bare:
    """The engine's own query for a person of `org`: match with the permission tokens, rank
    every match, count up to the cap, read the top `limit` documents."""

    def __init__(self, org: int) -> None:
        self.raw = database.Raw()
        self.org = org
        t = {"doc": Document._meta.db_table, "org": Organization._meta.db_table, "ty": DocumentType._meta.db_table}
        self.hydrate = (f"SELECT d.id, d.symbol, d.subject, ty.code, d.status, d.urgency, o.name, d.issued_date"
                        f" FROM {t['doc']} d JOIN {t['ty']} ty ON ty.id = d.doc_type_id LEFT JOIN {t['org']} o ON o.id = d.issuer_id"
                        " WHERE d.id IN ({})")

    def search(self, q: str, limit: int = 20) -> tuple[list[int], int]:
        clauses = parse(q).clauses
        raw = self.raw
        cur = raw.cursor()
        if raw.sqlite:
            expr = (f'orgs : ("i{self.org}" OR "r{self.org}") AND '
                    "{title_f body_f} : (" + " AND ".join(_fts_phrase(c) for c in clauses) + ")")
            cur.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY {engine_sqlite.BM25} LIMIT ?", [expr, limit])
            ids = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)", [expr, COUNT_CAP + 1])
        else:
            tsq = f"('I{self.org}' | 'R{self.org}') & " + " & ".join(_ts_phrase(c) for c in clauses)
            cur.execute("SELECT id FROM search_tsv WHERE tsv @@ %s::tsquery ORDER BY ts_rank(tsv, %s::tsquery) DESC LIMIT %s",
                        [tsq, tsq, limit])
            ids = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT count(*) FROM (SELECT 1 FROM search_tsv WHERE tsv @@ %s::tsquery LIMIT %s) m", [tsq, COUNT_CAP + 1])
        count = min(cur.fetchone()[0], COUNT_CAP)
        if ids:
            cur.execute(self.hydrate.format(", ".join(str(int(i)) for i in ids)))
            cur.fetchall()
        cur.close()
        return ids, count


# --- measuring -------------------------------------------------------------------------------

def not_visible(ids: set[int], org: int) -> int:
    """Hits the person's organisation neither issued nor received: must be 0 (checked, not timed)."""
    eng = engine_sqlite if connection.vendor == "sqlite" else engine_postgres
    with connection.cursor() as cur:
        rows = eng.fetch_orgs(cur, sorted(ids))
    return sum(1 for orgs in rows.values() if not {f"i{org}", f"r{org}"} & set(orgs.split())) + len(ids - rows.keys())


def run_queries(ctx: Context, corpus: Corpus, n: int) -> dict:
    client = world.browser()
    auth = world.bearer(User.objects.get(username=READER))
    bare = Bare(PERSON_ORG)
    failures: list[int] = []

    def vanthu(q: str) -> tuple[list[int], int, str]:
        r = client.get("/api/v1/search", {"q": q, "limit": 20}, **auth)
        if r.status_code != 200:
            failures.append(r.status_code)
            return [], 0, ""
        body = r.json()
        return [item["document_id"] for item in body["items"]], body["count"], body.get("corrected_q", "")

    # Warm up with other queries of each kind (not timed): a running server's caches are warm, and
    # the first queries of a fresh process would measure loading the index from disk instead.
    for kind in KINDS:
        for q in corpus.queries(kind, WARMUP, seed=97):
            vanthu(q)
            bare.search(q)
    out: dict[str, Any] = {}
    for kind in KINDS:
        times: list[float] = []
        base: list[float] = []
        cpu: list[float] = []
        counts, seen, mismatched, corrections = [], set(), [], 0
        for i, q in enumerate(corpus.queries(kind, n)):
            got = {}
            for side in (("vanthu", "bare") if i % 2 == 0 else ("bare", "vanthu")):
                c, t = time.process_time(), time.perf_counter()
                got[side] = vanthu(q) if side == "vanthu" else bare.search(q)
                elapsed = time.perf_counter() - t
                if side == "vanthu":
                    times.append(elapsed)
                    # This process's CPU per query (the database server's is not in it): on a
                    # machine shared with other work, wall-clock percentiles include waiting for a core.
                    cpu.append(time.process_time() - c)
                else:
                    base.append(elapsed)
            ids, count, corrected = got["vanthu"]
            counts.append(count)
            seen.update(ids)
            # A query that found nothing as typed may have been corrected (`search/typos.py`):
            # its count is compared with the bare engine's for the corrected text (not timed).
            bare_count = bare.search(corrected)[1] if corrected else got["bare"][1]
            corrections += bool(corrected)
            if count != bare_count:  # the engine's own matching counts differently
                mismatched.append({"q": q, "vanthu": count, "bare": bare_count})
        out[kind] = {
            "p50_ms": ms(percentile(times, 50)), "p95_ms": ms(percentile(times, 95)), "p99_ms": ms(percentile(times, 99)),
            "bare_p50_ms": ms(percentile(base, 50)), "bare_p95_ms": ms(percentile(base, 95)),
            "bare_p99_ms": ms(percentile(base, 99)), "samples": len(times), "baseline_samples": len(base),
            "median_count": sorted(counts)[len(counts) // 2], "max_count": max(counts),
            "count_mismatches": len(mismatched), "count_mismatch_samples": mismatched[:3], "corrected_queries": corrections,
            "hits_not_visible": not_visible(seen, PERSON_ORG), "distinct_hits": len(seen),
            "client_cpu_p50_ms": ms(percentile(cpu, 50)), "client_cpu_p95_ms": ms(percentile(cpu, 95)),
        }
        ctx.say(f"  {kind:>6}: p50 {out[kind]['p50_ms']} ms  p95 {out[kind]['p95_ms']} ms  p99 {out[kind]['p99_ms']} ms"
                f"  | bare p95 {out[kind]['bare_p95_ms']} ms  | median hits visible {out[kind]['median_count']}")
    out["failed_requests"] = len(failures)
    return out


@scenario("search", default_scale=100_000, tiny=400, small=10_000, manages_database=True,
          help="GET /api/v1/search: one-word, two-word and phrase queries of a person, top 20 (worst p95 ms)")
def search_scenario(ctx: Context) -> Result:
    n = int(ctx.repeat or ctx.sized(tiny=10, small=50, default=200))
    scales = sorted({s for s in (10_000, 100_000) if s < ctx.scale} | {ctx.scale}) if ctx.option("growth", True) else [ctx.scale]
    growth: dict[str, Any] = {}
    last: dict[str, Any] = {}
    build_info: dict[str, Any] = {}
    db = ctx.db
    for scale in scales:
        ctx.say(f"scale {scale}:")
        db, build_info = dataset(ctx, scale)
        ctx.say(f"  indexing: {build_info['index_docs_per_s']} docs/s (insert {build_info['insert_s']} s, finish {build_info['finish_s']} s)")
        last = run_queries(ctx, Corpus(scale), n)
        growth[str(scale)] = {k: last[k]["p95_ms"] for k in KINDS}
    worst = max(last[k]["p95_ms"] for k in KINDS)
    bare_worst = max(last[k]["bare_p95_ms"] for k in KINDS)
    ok = last["failed_requests"] == 0 and all(last[k]["hits_not_visible"] == 0 for k in KINDS)
    return Result(
        scenario="search", metric="worst p95 of one-word, two-word and phrase queries (GET /api/v1/search)", unit="ms",
        value=worst, baseline=bare_worst, summary=[f"p95 growth (ms) {growth}"],
        details={"database": database.vendor_of(db), "dataset": database.label_of(db),
                 "load_average": [round(x, 1) for x in os.getloadavg()],
                 "samples": sum(last[k]["samples"] for k in KINDS), "baseline_samples": sum(last[k]["baseline_samples"] for k in KINDS),
                 "queries_per_kind": n, "per_kind": {k: last[k] for k in KINDS}, "failed_requests": last["failed_requests"],
                 "p95_growth_ms": growth, "indexing": build_info, "goal_p95_ms": 100, "person_organization": PERSON_ORG,
                 "ok": ok},
    )

