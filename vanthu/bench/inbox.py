"""`inbox`: a clerk's inbox page of 50, with N deliveries in the database (default 1,000,000).

The dataset: 120 organisations exchanging documents over three years, each document issued by
one of them to 8 others, so each organisation holds about N/120 incoming records, most of them
accepted and numbered, recent ones still waiting. It is written with bare bulk inserts
(executemany on SQLite, COPY on PostgreSQL) into a freshly recreated benchmark database, and
kept: a later run at the same scale finds it (marker organisation, row count) and reuses it.

Measured: `GET /api/v1/inbox?organization_id=…&limit=50&offset=…` through Django's test client
with the organisation's clerk's API token — the request's whole path without the socket: token
authentication, the membership check, the page and its count, the JSON — for random
organisations and pages (mostly the first, some deeper). The baseline is the bare SQL of the same
page (the deliveries with their documents, types and issuers, newest first) and its count, on the
driver's cursor, interleaved with VanThu's; both must give the same ids and count.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.documents.models import Delivery, Document, DocumentType
from vanthu.organizations.models import Membership, Organization, OrgKind, Role

from . import database, world
from .bare import tables
from .database import Raw, other_columns
from .runner import Context, Result, ms, percentile, scenario

ORGS = 120
PER_DOC = 8
ROOT_CODE = "B.INBOX.ROOT"
DOCS_PER_CHUNK = 5000
SEED = 2026
TOPICS = [
    "triển khai nghị quyết của Ban Thường vụ", "báo cáo kết quả công tác quý", "kiện toàn cấp ủy nhiệm kỳ",
    "tổ chức hội nghị học tập chuyên đề", "công tác phát triển đảng viên", "chuyển đổi số trong cơ quan đảng",
    "kiểm tra, giám sát chuyên đề", "đánh giá, xếp loại chất lượng tổ chức đảng", "thu, nộp đảng phí",
    "chuẩn bị đại hội chi bộ", "tổng kết công tác năm và phương hướng nhiệm vụ", "thi đua khen thưởng",
]


def _marker(n: int) -> str:
    return f"Bộ dữ liệu thử tải hộp văn bản đến N={n}"


def _cached(n: int) -> list[int] | None:
    """The recipient organisations of a complete dataset of size n, or None."""
    root = Organization.objects.filter(code=ROOT_CODE).first()
    if root is None or root.name != _marker(n):
        return None
    org_ids = list(Organization.objects.filter(parent=root).order_by("id").values_list("id", flat=True))
    if len(org_ids) != ORGS or Delivery.objects.filter(recipient_id__in=org_ids).count() != n:
        return None
    return org_ids


def _build(ctx: Context, n: int) -> list[int]:
    """Write the dataset with bare bulk inserts; returns the organisations' ids."""
    rng = random.Random(SEED)
    root = Organization.objects.create(kind=OrgKind.BLOC_COMMITTEE, name=_marker(n), short_name="ĐUK", code=ROOT_CODE)
    orgs = Organization.objects.bulk_create([
        Organization(kind=OrgKind.GRASSROOTS_COMMITTEE, name=f"Đảng bộ thử tải hộp đến số {i + 1}",
                     short_name=f"ĐU{i + 1}", code=f"B.INBOX.{i + 1}", parent=root, term_label="2025-2030")
        for i in range(ORGS)
    ])
    org_ids = [o.id for o in orgs]
    short = {o.id: o.short_name for o in orgs}
    types = list(DocumentType.objects.values_list("id", "code"))
    raw = Raw()
    cur = raw.cursor()

    doc_given = {"id", "issuer_id", "doc_type_id", "subject", "urgency", "status", "source", "register_key",
                 "number", "symbol", "issued_date", "issued_at", "place", "signer_name", "page_count", "created_at"}
    doc_extra_cols, doc_extra = other_columns(Document, doc_given)
    doc_cols = ["id", "issuer_id", "doc_type_id", "subject", "urgency", "status", "source", "register_key", "number",
                "symbol", "issued_date", "issued_at", "place", "signer_name", "page_count", "created_at", *doc_extra_cols]
    dl_given = {"id", "document_id", "recipient_id", "source", "status_code", "arrived_at", "updated_at",
                "incoming_key", "incoming_number", "accepted_at", "done_at"}
    dl_extra_cols, dl_extra = other_columns(Delivery, dl_given)
    dl_cols = ["id", "document_id", "recipient_id", "source", "status_code", "arrived_at", "updated_at", "incoming_key",
               "incoming_number", "accepted_at", "done_at", *dl_extra_cols]
    doc_table, dl_table = Document._meta.db_table, Delivery._meta.db_table

    def write(table: str, cols: list[str], rows: list[tuple]) -> None:
        if raw.sqlite:
            raw.executemany(cur, f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", rows)
        else:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    n_docs = (n + PER_DOC - 1) // PER_DOC
    end = timezone.now().replace(microsecond=0)
    start = end - timedelta(days=3 * 365)
    span = (end - start).total_seconds()
    numbers: Counter = Counter()
    incoming: Counter = Counter()
    written = 0
    delivery_id = 0
    urgencies = ["thuong"] * 17 + ["khan", "khan", "thuong_khan"]
    with raw.transaction():
        for first in range(0, n_docs, DOCS_PER_CHUNK):
            docs: list[tuple] = []
            deliveries: list[tuple] = []
            for i in range(first, min(first + DOCS_PER_CHUNK, n_docs)):
                doc_id = i + 1
                issuer_ix = rng.randrange(ORGS)
                issuer = org_ids[issuer_ix]
                type_id, type_code = types[rng.randrange(len(types))]
                key = f"out:{type_code}:2025-2030"
                numbers[(issuer, key)] += 1
                number = numbers[(issuer, key)]
                issued_at = start + timedelta(seconds=(i + rng.random()) * span / n_docs)
                local_day = timezone.localdate(issued_at)
                docs.append((
                    doc_id, issuer, type_id, f"Về việc {rng.choice(TOPICS)} (văn bản thử tải {doc_id})",
                    rng.choice(urgencies), "issued", "internal", key, number,
                    f"{number:02d}-{type_code}/{short[issuer]}", raw.day(local_day), raw.dt(issued_at), "Hà Nội",
                    "Người ký thử tải", 1 + rng.randrange(6), raw.dt(issued_at), *doc_extra,
                ))
                count = min(PER_DOC, n - written)
                others = rng.sample(range(ORGS - 1), count)
                age_days = (end - issued_at).total_seconds() / 86400
                for ix in others:
                    recipient = org_ids[ix + 1 if ix >= issuer_ix else ix]
                    arrived = issued_at + timedelta(seconds=rng.randrange(1, 120))
                    status, in_key, in_no, accepted, done = _status(rng, age_days, arrived, local_day.year)
                    if in_key:
                        incoming[(recipient, in_key)] += 1
                        in_no = incoming[(recipient, in_key)]
                    delivery_id += 1
                    deliveries.append((
                        delivery_id, doc_id, recipient, "electronic", status, raw.dt(arrived),
                        raw.dt(done or accepted or arrived), in_key, in_no, raw.dt(accepted), raw.dt(done), *dl_extra,
                    ))
                written += count
            write(doc_table, doc_cols, docs)
            write(dl_table, dl_cols, deliveries)
            ctx.say(f"  {written:,} / {n:,} deliveries written")
    if not raw.sqlite:
        for table in (doc_table, dl_table):
            raw.execute(cur, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # What autovacuum would do shortly after a bulk load: statistics and the visibility map
        # (which lets count(*) use an index-only scan).
        raw.execute(cur, f"VACUUM ANALYZE {doc_table}")
        raw.execute(cur, f"VACUUM ANALYZE {dl_table}")
    cur.close()
    return org_ids


def _status(rng: random.Random, age_days: float, arrived, year: int) -> tuple[str, str, Any, Any, Any]:
    """A plausible state for a delivery of this age: (status, incoming key, number?, accepted, done)."""
    roll = rng.random()
    if age_days < 7 and roll < 0.5:
        return "01", "", None, None, None
    if roll < 0.01:
        return "02", "", None, None, None
    accepted = arrived + timedelta(hours=rng.randrange(1, 48))
    in_key = f"in:{year}"
    if age_days < 30 and roll < 0.4:
        return rng.choice(["03", "04", "05"]), in_key, 0, accepted, None
    if roll < 0.1:
        return rng.choice(["03", "04", "05"]), in_key, 0, accepted, None
    return "06", in_key, 0, accepted, accepted + timedelta(days=rng.randrange(1, 20))


def _page_sql(t: dict[str, str]) -> str:
    """The inbox page as a person would write it by hand: what each item shows, newest first."""
    return (
        "SELECT dl.id, dl.status_code, dl.source, dl.incoming_number, dl.arrived_at, dl.updated_at, dl.deadline,"
        " d.id, d.symbol, d.subject, ty.code, d.urgency, d.issuer_id, i.code, i.name, d.external_issuer_code,"
        " d.external_issuer_name, d.issued_at, d.issued_date, d.due_date"
        f" FROM {t['delivery']} dl"
        f" JOIN {t['doc']} d ON d.id = dl.document_id"
        f" JOIN {t['dtype']} ty ON ty.id = d.doc_type_id"
        f" LEFT JOIN {t['org']} i ON i.id = d.issuer_id"
        " WHERE dl.recipient_id = %s ORDER BY dl.arrived_at DESC, dl.id DESC LIMIT 50 OFFSET %s"
    )


def _clerk(org_id: int) -> User:
    """The organisation's clerk (created once per dataset)."""
    username = f"bench-inbox-clerk-{org_id}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=f"Văn thư thử tải {org_id}")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organization_id=org_id, role=Role.CLERK)
    return user


@scenario("inbox", default_scale=1_000_000, tiny=2_000, small=50_000, manages_database=True,
          help="GET /api/v1/inbox (a page of 50 and the count) with N deliveries in the database (p95 ms)")
def run_inbox(ctx: Context) -> Result:
    n = ctx.scale
    loads = ctx.repeat or ctx.sized(tiny=30, small=100, default=200)
    org_ids = None
    if database.exists(ctx.db):  # a new database cannot hold a cached dataset: skip one migrate
        database.prepare(ctx.db)
        org_ids = _cached(n)
    build_s = None
    if org_ids is None:
        ctx.say(f"building the inbox dataset: {n:,} deliveries to {ORGS} organisations (recreating the bench database) …")
        database.prepare(ctx.db, fresh=True)
        t0 = time.monotonic()
        org_ids = _build(ctx, n)
        build_s = round(time.monotonic() - t0, 1)
        ctx.say(f"built in {build_s} s")
    else:
        ctx.say(f"reusing the cached inbox dataset of {n:,} deliveries")

    page_sql = _page_sql(tables())
    count_sql = f"SELECT COUNT(*) FROM {tables()['delivery']} WHERE recipient_id = %s"
    raw = Raw()
    per_org = Delivery.objects.filter(recipient_id=org_ids[0]).count()
    rng = random.Random(SEED + n)
    plan: list[tuple[int, int, str]] = []
    for _ in range(loads + 20):
        roll = rng.random()
        if roll < 0.80:
            offset, kind = 0, "first"
        elif roll < 0.95:
            offset, kind = 50 * rng.randrange(1, 10), "near"
        else:
            offset, kind = 50 * rng.randrange(0, max(1, per_org // 50)), "deep"
        plan.append((rng.choice(org_ids), offset, kind))

    client = world.browser()
    tokens = {org_id: world.bearer(_clerk(org_id)) for org_id in sorted({org for org, _o, _k in plan})}

    ours: list[tuple[str, float]] = []
    theirs: list[tuple[str, float]] = []
    # This process's CPU time too: a busy machine inflates wall time, not CPU time (on PostgreSQL
    # the server's share is not in it).
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    mismatches = 0
    failures: list[int] = []
    ctx.say(f"{loads} page loads (plus 20 warm-up) through the API and with bare SQL, interleaved …")
    for i, (org_id, offset, kind) in enumerate(plan):
        def vanthu(org_id: int = org_id, offset: int = offset) -> tuple[list[int], int]:
            r = client.get("/api/v1/inbox", {"organization_id": org_id, "limit": 50, "offset": offset}, **tokens[org_id])
            if r.status_code != 200:
                failures.append(r.status_code)
                return [], -1
            body = r.json()
            return [item["id"] for item in body["items"]], body["count"]

        def bare(org_id: int = org_id, offset: int = offset) -> tuple[list[int], int]:
            cur = raw.cursor()
            raw.execute(cur, page_sql, [org_id, offset])
            rows = cur.fetchall()
            raw.execute(cur, count_sql, [org_id])
            total = cur.fetchone()[0]
            cur.close()
            return [r[0] for r in rows], total

        order = [(vanthu, ours, ours_cpu), (bare, theirs, theirs_cpu)]
        if i % 2:
            order.reverse()
        got = {}
        for func, sink, cpu_sink in order:
            c0, t0 = time.process_time(), time.perf_counter()
            got[func] = func()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            if i >= 20:
                sink.append((kind, elapsed))
                cpu_sink.append(cpu)
        if got[vanthu] != got[bare]:
            mismatches += 1

    o_all = [t for _, t in ours]
    b_all = [t for _, t in theirs]
    p95, b95 = percentile(o_all, 95) * 1000, percentile(b_all, 95) * 1000
    by_kind = {
        kind: {
            "loads": sum(1 for k, _ in ours if k == kind),
            "p50_ms": ms(percentile([t for k, t in ours if k == kind], 50)),
            "baseline_p50_ms": ms(percentile([t for k, t in theirs if k == kind], 50)),
        }
        for kind in ("first", "near", "deep")
    }
    details = {
        "deliveries": n, "organizations": ORGS, "deliveries_per_org": per_org, "loads": loads,
        "p50_ms": ms(percentile(o_all, 50)), "p99_ms": ms(percentile(o_all, 99)), "max_ms": ms(max(o_all)),
        "baseline_p50_ms": ms(percentile(b_all, 50)), "baseline_p99_ms": ms(percentile(b_all, 99)),
        "cpu_p50_ms": ms(percentile(ours_cpu, 50)), "cpu_p95_ms": ms(percentile(ours_cpu, 95)),
        "baseline_cpu_p50_ms": ms(percentile(theirs_cpu, 50)), "baseline_cpu_p95_ms": ms(percentile(theirs_cpu, 95)),
        "load_average": round(os.getloadavg()[0], 1),
        "by_page": by_kind, "same_results": mismatches == 0, "build_s": build_s,
        "samples": len(ours), "baseline_samples": len(theirs), "failed_requests": len(failures),
        "path": "GET /api/v1/inbox through the test client with a bearer token",
        "ok": mismatches == 0 and not failures,
    }
    return Result(
        scenario="inbox", metric="GET /api/v1/inbox (page of 50 + count) p95", unit="ms", value=p95, baseline=b95, details=details,
        summary=[
            f"GET /api/v1/inbox, page of 50 + count, {n:,} deliveries ({per_org:,} for one organisation), {loads} loads:",
            f"  VanThu   p50 {details['p50_ms']:.2f} ms, p95 {p95:.2f} ms, p99 {details['p99_ms']:.2f} ms",
            f"  bare SQL p50 {details['baseline_p50_ms']:.2f} ms, p95 {b95:.2f} ms",
            "  by page: " + "; ".join(f"{k} ×{v['loads']} p50 {v['p50_ms']:.2f} ms" for k, v in by_kind.items()),
        ],
    )
