"""`vanthu bench load`: many people at once against gunicorn and the worker, for a bounded time.

The world (kept between runs of the same size, in a benchmark database of its own): a Bloc
with `users / 5` organisations of five people (a clerk, a leader, three specialists) and a few
inspectors of the whole Bloc; many documents of this year between them (200 per person by
default, `VANTHU_LOAD_DOCUMENTS`), their deliveries mostly handled, the statistics' aggregates
rebuilt and every document in the search index. Each run adds fresh API tokens and sessions and
issues new documents to every organisation, so that clerks have something to accept.

The run: the server as `vanthu serve` runs it (gunicorn, its worker class and body guard) and
the background worker (`vanthu worker`, which indexes what is issued meanwhile), and a
realistic office mix, each simulated person pausing between actions as people do: clerks list
the inbox and accept what arrived, leaders list what was accepted and assign it (and open their
home page), specialists list their assignments and complete them, inspectors open the Bloc
dashboard, everyone searches now and then. Measured: requests per second, p95 latency by kind,
errors.

The figure: the inbox endpoint's throughput when the same number of clients as the server has
threads loop on it without pausing; the baseline is the same work done bare in the same server
(`vanthu.bench.wsgi`: the token, the membership, the page and its count in three SQL
statements, JSON), the two driven in alternating rounds. value = VanThu's requests per second,
baseline = the bare endpoint's, ratio = bare / VanThu (VanThu's cost per request over the bare
one's; 1.0 is the floor).

Options (`--scale` = simulated users): VANTHU_LOAD_SECONDS (default 60),
VANTHU_LOAD_THINK_SECONDS (mean pause, default 5), VANTHU_LOAD_WORKERS (server processes,
default 2), VANTHU_LOAD_THREADS (threads per process, default 8), VANTHU_LOAD_DOCUMENTS.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from vanthu import runtime
from vanthu.accounts.actions import issue_api_token
from vanthu.accounts.models import User
from vanthu.documents.actions import issue_document
from vanthu.documents.models import Delivery, Document, DocumentType
from vanthu.organizations.models import Membership, Organization, OrgKind, Role
from vanthu.reports import aggregates
from vanthu.search.indexing import reindex_all

from . import database, world
from .runner import Context, Result, percentile, scenario

BARE_INBOX = "/bench/bare/inbox"  # served by vanthu.bench.wsgi
ORG_PEOPLE = 5  # a clerk, a leader and three specialists per organisation
WORLD_VERSION = 1
ROOT_CODE = "B.LOAD.ROOT"
SEARCH_WORDS = ["chuyển đổi số", "báo cáo", "kế hoạch", "nghị quyết", "tổng kết", "hội nghị", "đảng viên"]
TOPICS = ["triển khai nghị quyết của Ban Thường vụ", "báo cáo kết quả công tác quý", "kế hoạch chuyển đổi số",
          "tổ chức hội nghị học tập chuyên đề", "công tác phát triển đảng viên", "tổng kết công tác năm"]


@dataclass
class Person:
    role: str
    org_id: int
    token: str
    session: str = ""
    user_id: int = 0
    specialists: list[int] = field(default_factory=list)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: list[float] = field(default_factory=list)
    times_by_kind: dict[str, list[float]] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    errors_5xx: int = 0
    errors_other: int = 0
    failures: int = 0
    failure_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, ms: float, status: int) -> None:
        with self.lock:
            self.times.append(ms)
            self.times_by_kind.setdefault(kind, []).append(ms)
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            if status >= 500:
                self.errors_5xx += 1
            elif status >= 400 and status not in (404, 409):  # 409: someone else was first
                self.errors_other += 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the world ---------------------------------------------------------------------------------

def _marker(users: int, documents: int) -> str:
    return f"Đảng ủy Khối (thử tải) [users={users} documents={documents} v{WORLD_VERSION}]"


def _username(org_index: int, role: str, k: int = 0) -> str:
    return f"load-{org_index}-{role}{k}"


def _build_world(ctx: Context, users: int, documents: int) -> None:
    """Organisations and people, and `documents` documents of this year with their deliveries,
    mostly handled; then the aggregates and the search index, as a live installation has them."""
    database.prepare(ctx.db, fresh=True)
    root = Organization.objects.create(kind=OrgKind.BLOC_COMMITTEE, name=_marker(users, documents), short_name="ĐUK",
                                       code=ROOT_CODE, term_label="2025-2030")
    orgs = world.make_orgs("W", "LOAD", max(1, users // ORG_PEOPLE), parent=root)
    people = []
    for i, org in enumerate(orgs):
        roles = [(Role.CLERK, 0), (Role.LEADER, 0)] + [(Role.SPECIALIST, k) for k in range(ORG_PEOPLE - 2)]
        for role, k in roles:
            people.append((User(username=_username(i, str(role), k), full_name=f"Người thử tải {i}-{role}{k}"), org, role))
    for i in range(max(1, users // 25)):
        people.append((User(username=_username(-1, "inspector", i), full_name=f"Kiểm tra thử tải {i}"), root, Role.INSPECTOR))
    for user, _org, _role in people:
        user.set_unusable_password()  # nobody signs in with a password; hashing would only slow building down
    User.objects.bulk_create([u for u, _o, _r in people])
    saved = {u.username: u for u in User.objects.filter(username__startswith="load-")}
    Membership.objects.bulk_create([Membership(user=saved[u.username], organization=o, role=r) for u, o, r in people])

    ctx.say(f"  {documents} documents of this year between {len(orgs) + 1} organisations …")
    rnd = random.Random(2026)
    types = list(DocumentType.objects.values_list("id", flat=True))
    now = timezone.now()
    start = datetime(timezone.localdate().year, 1, 1, tzinfo=UTC)
    span = max(3600.0, (now - start).total_seconds() - 3600)
    issuers = [root.id] + [o.id for o in orgs]
    kids = [o.id for o in orgs]
    numbers: dict[int, int] = {}
    for first in range(0, documents, 5000):
        docs = []
        for i in range(first, min(first + 5000, documents)):
            issuer = root.id if rnd.random() < 0.3 else rnd.choice(issuers)
            numbers[issuer] = numbers.get(issuer, 0) + 1
            at = start + timedelta(seconds=span * (i + rnd.random()) / documents)
            docs.append(Document(issuer_id=issuer, doc_type_id=rnd.choice(types), subject=f"Về việc {rnd.choice(TOPICS)} ({i + 1})",
                                 status="issued", source="internal", register_key="bench", number=numbers[issuer],
                                 symbol=f"{numbers[issuer]}-CV/ĐU", issued_at=at, issued_date=timezone.localdate(at),
                                 place="Hà Nội", signer_name="Người ký thử tải", page_count=1))
        docs = Document.objects.bulk_create(docs)
        deliveries = []
        for doc in docs:
            others = [k for k in kids if k != doc.issuer_id] or [root.id]
            for recipient in rnd.sample(others, min(len(others), rnd.choice([1, 1, 2, 3]))):
                arrived = doc.issued_at + timedelta(seconds=rnd.randrange(1, 120))
                age_days = (now - arrived).total_seconds() / 86400
                accepted = done = None
                if age_days < 3 and rnd.random() < 0.5:
                    code = "01"
                else:
                    accepted = arrived + timedelta(hours=rnd.randrange(1, 48))
                    done = accepted + timedelta(days=rnd.randrange(1, 10)) if rnd.random() < 0.85 else None
                    if done is not None and done > now:
                        done = None
                    code = "06" if done else "03"
                deliveries.append(Delivery(document=doc, recipient_id=recipient, source="electronic", status_code=code,
                                           arrived_at=arrived, updated_at=done or accepted or arrived,
                                           accepted_at=accepted, done_at=done))
        Delivery.objects.bulk_create(deliveries)
    ctx.say("  rebuilding the statistics' aggregates …")
    aggregates.rebuild()
    ctx.say("  filling the search index …")
    reindex_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")


def _world(ctx: Context, users: int, documents: int) -> tuple[Organization, bool]:
    """The world of this size: reused when the benchmark database holds it, else built afresh."""
    if database.exists(ctx.db):
        database.prepare(ctx.db)
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is not None and root.name == _marker(users, documents):
            return root, True
    ctx.say(f"building the world: {users} people, {documents} documents (recreating the benchmark database) …")
    _build_world(ctx, users, documents)
    return Organization.objects.get(code=ROOT_CODE), False


def _session(user: User, org_id: int) -> str:
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s["vanthu_org_id"] = org_id
    s.create()
    return s.session_key


def _arrivals(ctx: Context, root: Organization) -> tuple[list[Person], int]:
    """Everyone's API token and session for this run, and new documents in every inbox."""
    memberships = list(Membership.objects.filter(user__username__startswith="load-").select_related("user").order_by("id"))
    by_org: dict[int, list[int]] = {}
    for m in memberships:
        if m.role == Role.SPECIALIST:
            by_org.setdefault(m.organization_id, []).append(m.user_id)
    people = []
    for m in memberships:
        world.enrol_two_factor(m.user)  # a leader's requests would otherwise all be refused
        raw, _t = issue_api_token(user=m.user)
        people.append(Person(role=str(m.role), org_id=m.organization_id, token=raw, session=_session(m.user, m.organization_id),
                             user_id=m.user_id, specialists=by_org.get(m.organization_id, [])))
    # Enough arrivals for clerks to accept during the whole run (one per pause at most).
    seconds = int(os.environ.get("VANTHU_LOAD_SECONDS", "60"))
    think = float(os.environ.get("VANTHU_LOAD_THINK_SECONDS", "5"))
    n_docs = max(10, min(80, int(seconds / max(think, 0.5) / 3) + 5))
    orgs = sorted(by_org) or [root.id]
    ctx.say(f"{len(people)} people; issuing {n_docs} documents to each of {len(orgs)} inboxes")
    tag = world.run_tag()
    issuer = world.Issuer(org=root, clerk=world.make_person(root, tag, Role.CLERK), leader=world.make_person(root, tag, Role.LEADER))
    ids = world.approved_documents(issuer, [orgs] * n_docs, doc_type="CV", subject="Về việc triển khai chuyển đổi số và báo cáo kết quả")
    for doc in Document.objects.filter(id__in=ids).order_by("id"):
        issue_document(doc, user=issuer.clerk)
    return people, n_docs


class Browser:
    """One simulated person's HTTP client (keep-alive), timing every request."""

    def __init__(self, base: str, person: Person, tally: Tally) -> None:
        self.base = base
        self.person = person
        self.tally = tally
        self.year = timezone.localdate().year
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {person.token}"

    def call(self, kind: str, method: str, path: str, **kw):
        start = time.perf_counter()
        try:
            r = self.http.request(method, self.base + path, timeout=60, **kw)
        except Exception as exc:  # noqa: BLE001 - a refused or dropped connection is a failure to report
            with self.tally.lock:
                self.tally.failures += 1
                name = type(exc).__name__
                self.tally.failure_kinds[name] = self.tally.failure_kinds.get(name, 0) + 1
            return None
        self.tally.add(kind, (time.perf_counter() - start) * 1000, r.status_code)
        return r

    def step(self, rng: random.Random) -> None:
        p = self.person
        org = p.org_id
        if p.role == "inspector":
            if rng.random() < 0.5:
                self.call("bloc_dashboard", "GET", f"/reports/bloc/{org}/", params={"year": self.year},
                          cookies={"sessionid": p.session}, headers={"Authorization": ""})
            else:
                self.call("search", "GET", "/api/v1/search", params={"q": rng.choice(SEARCH_WORDS)})
            return
        if rng.random() < 0.1:
            self.call("search", "GET", "/api/v1/search", params={"q": rng.choice(SEARCH_WORDS), "organization_id": org})
            return
        if p.role == "clerk":
            r = self.call("inbox", "GET", "/api/v1/inbox", params={"organization_id": org, "status_code": "01", "limit": 20})
            items = r.json()["items"] if r is not None and r.status_code == 200 else []
            if items:
                self.call("accept", "POST", f"/api/v1/inbox/{rng.choice(items[:5])['id']}/accept")
        elif p.role == "leader":
            if rng.random() < 0.2:
                self.call("home", "GET", "/", cookies={"sessionid": p.session}, headers={"Authorization": ""})
                return
            r = self.call("inbox", "GET", "/api/v1/inbox", params={"organization_id": org, "status_code": "03", "limit": 20})
            items = r.json()["items"] if r is not None and r.status_code == 200 else []
            if items:
                main = rng.choice(p.specialists)
                self.call("assign", "POST", f"/api/v1/incoming/{items[0]['id']}/assign",
                          json={"main_handler_id": main, "co_handler_ids": [], "informed_ids": []})
        else:
            r = self.call("assignments", "GET", "/api/v1/assignments/mine")
            items = r.json()["items"] if r is not None and r.status_code == 200 else []
            mine = [i for i in items if i["role"] == "main"]
            if mine:
                d = mine[0]["delivery_id"]
                r = self.call("complete", "POST", f"/api/v1/incoming/{d}/complete", json={"note": "Đã xử lý xong"})
                if r is not None and r.status_code == 409:
                    self.call("start", "POST", f"/api/v1/incoming/{d}/start")


def _drive(base: str | list[str], people: list[Person], seconds: float, think: float, tally: Tally) -> float:
    """Every person acts, pauses (exponential, mean `think`), acts again, until time is up.
    With several servers, person i goes to server i mod n (as a proxy's balancing would)."""
    stop_at = time.monotonic() + seconds
    bases = [base] if isinstance(base, str) else base

    def life(i: int, person: Person) -> None:
        rng = random.Random(i)
        b = Browser(bases[i % len(bases)], person, tally)
        time.sleep(min(rng.uniform(0, think), seconds))  # people do not all arrive in the same second
        while time.monotonic() < stop_at:
            b.step(rng)
            pause = min(rng.expovariate(1 / think), think * 4, stop_at - time.monotonic())
            if pause > 0:
                time.sleep(pause)

    threads = [threading.Thread(target=life, args=(i, p), daemon=True) for i, p in enumerate(people)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return time.monotonic() - started


def _flat_out(base: str | list[str], person: Person, path: str, params: dict, clients: int,
              seconds: float) -> tuple[int, float, int]:
    """(requests, seconds, 5xx) when `clients` loop on one endpoint without pausing (client i on
    server i mod n when there are several)."""
    tally = Tally()
    stop_at = time.monotonic() + seconds
    bases = [base] if isinstance(base, str) else base

    def loop(i: int) -> None:
        b = Browser(bases[i % len(bases)], person, tally)
        while time.monotonic() < stop_at:
            b.call("flat", "GET", path, params=params)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(tally.times), time.monotonic() - started, tally.errors_5xx + tally.failures


def _server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by the server process and its workers, from /proc:
    a figure that does not depend on how busy the rest of the machine is. None off Linux."""
    proc = Path("/proc")
    if not (proc / str(pid) / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the command: state, ppid, …; utime and stime are the 14th and 15th fields.
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited on start: {proc.stderr.read()[-3000:] if proc.stderr else ''}")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in 60 s")


def _server_env(ctx: Context) -> dict:
    env = dict(os.environ)
    env.update({
        "VANTHU_DATABASE_URL": runtime.database_url(ctx.db), "VANTHU_DATA_DIR": str(settings.DATA_DIR),
        "VANTHU_SIGNIN_RATE_PER_MINUTE": "0", "VANTHU_2FA_REQUIRED_ROLES": "", "VANTHU_LOG_LEVEL": "ERROR",
        "VANTHU_DEBUG": "0", "VANTHU_HTTPS": "0",
    })
    return env


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@scenario("load", default_scale=100, tiny=10, small=30, manages_database=True,
          help="simulated office users against gunicorn and the worker; figure: inbox req/s flat out against the bare endpoint's")
def run_load(ctx: Context) -> Result:
    users = ctx.scale
    seconds = float(os.environ.get("VANTHU_LOAD_SECONDS", "60"))
    think = float(os.environ.get("VANTHU_LOAD_THINK_SECONDS", "5"))
    workers = int(os.environ.get("VANTHU_LOAD_WORKERS", "2"))
    threads = int(os.environ.get("VANTHU_LOAD_THREADS", "8"))
    documents = int(os.environ.get("VANTHU_LOAD_DOCUMENTS") or users * 200)
    root, reused = _world(ctx, users, documents)
    people, n_docs = _arrivals(ctx, root)
    vendor = connection.vendor
    connection.close()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _server_env(ctx)
    # The server exactly as `vanthu serve` runs it (worker class, body guard, keep-alive 30 s:
    # longer than the longest pause, so a client never reuses a connection the server just
    # closed), with the bare endpoint beside VanThu's application; and the background worker.
    cmd = runtime.gunicorn_argv("127.0.0.1", port, workers, threads, access_log=False, app="vanthu.bench.wsgi:application")
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(base, server)
        ctx.say(f"gunicorn on {base} ({workers} processes × {threads} threads) and a worker; {len(people)} people for {seconds:.0f} s")
        tally = Tally()
        cpu_before = _server_cpu_seconds(server.pid)
        elapsed = _drive(base, people, seconds, think, tally)
        cpu_after = _server_cpu_seconds(server.pid)
        load_avg = os.getloadavg()[0]
        clerk = next(p for p in people if p.role == "clerk")
        params = {"organization_id": clerk.org_id, "limit": 20}
        headers = {"Authorization": f"Bearer {clerk.token}"}
        ours_page = requests.get(f"{base}/api/v1/inbox", params=params, headers=headers, timeout=60).json()
        bare_page = requests.get(f"{base}{BARE_INBOX}", params=params, headers=headers, timeout=60).json()
        same = ([i["id"] for i in ours_page["items"]], ours_page["count"]) == ([i["id"] for i in bare_page["items"]], bare_page["count"])
        clients = workers * threads
        rounds = 4
        flat_seconds = max(4.0, min(20.0, seconds / 6))
        ctx.say(f"throughput: the inbox, VanThu's and bare, {clients} clients flat out, {rounds} alternating rounds of {flat_seconds / rounds:.1f} s each")
        totals = {"vanthu": [0, 0.0, 0, 0.0], "bare": [0, 0.0, 0, 0.0]}  # requests, seconds, errors, server CPU seconds
        for r in range(rounds):
            for side in (("vanthu", "bare") if r % 2 == 0 else ("bare", "vanthu")):
                path = "/api/v1/inbox" if side == "vanthu" else BARE_INBOX
                c0 = _server_cpu_seconds(server.pid)
                n, took, errors = _flat_out(base, clerk, path, params, clients, flat_seconds / rounds)
                c1 = _server_cpu_seconds(server.pid)
                t = totals[side]
                t[0] += n
                t[1] += took
                t[2] += errors
                t[3] += (c1 - c0) if None not in (c0, c1) else 0.0
        inbox_rps = totals["vanthu"][0] / totals["vanthu"][1]
        bare_rps = totals["bare"][0] / totals["bare"][1]
    finally:
        _stop(worker)
        _stop(server)
    times = tally.times
    p95 = percentile(times, 95) if times else 0.0
    requests_n = len(times)
    errors_5xx = tally.errors_5xx + totals["vanthu"][2] + totals["bare"][2]
    no_server_errors = errors_5xx == 0 and tally.failures == 0
    details = {
        "database": vendor, "users": len(people), "organizations": len({p.org_id for p in people}),
        "documents_in_world": documents, "world_reused": reused, "documents_issued_this_run_per_inbox": n_docs,
        "seconds": round(elapsed, 1), "think_seconds_mean": think, "requests": requests_n,
        "rps": round(requests_n / elapsed, 1) if elapsed else 0, "p95_ms": round(p95, 1),
        "p50_ms": round(percentile(times, 50), 1) if times else None, "p99_ms": round(percentile(times, 99), 1) if times else None,
        "errors_5xx": errors_5xx, "errors_4xx_unexpected": tally.errors_other, "connection_failures": tally.failures,
        "failure_kinds": tally.failure_kinds, "no_server_errors": no_server_errors,
        "by_kind": tally.by_kind,
        "p95_ms_by_kind": {k: round(percentile(v, 95), 1) for k, v in sorted(tally.times_by_kind.items())},
        "samples": totals["vanthu"][0], "baseline_samples": totals["bare"][0],
        "inbox_rps_flat_out": round(inbox_rps, 1), "bare_inbox_rps_flat_out": round(bare_rps, 1),
        "same_results": same,
        # The server's own CPU per request (PostgreSQL and the simulated people not counted):
        # comparable between runs whatever else the machine is doing.
        "inbox_server_cpu_ms": round(totals["vanthu"][3] * 1000 / max(1, totals["vanthu"][0]), 3),
        "bare_server_cpu_ms": round(totals["bare"][3] * 1000 / max(1, totals["bare"][0]), 3),
        "server_cpu_ms_per_request": (round((cpu_after - cpu_before) * 1000 / requests_n, 2)
                                      if cpu_before is not None and cpu_after is not None and requests_n else None),
        "load_average_1min_at_end": round(load_avg, 2),
        "gunicorn": {"workers": workers, "threads": threads}, "background_worker": True,
        "ok": no_server_errors and same,
    }
    return Result(
        scenario="load", metric="GET /api/v1/inbox flat out, beside the office mix's server", unit="req/s",
        value=inbox_rps, baseline=bare_rps, details=details, higher_is_better=True,
        summary=[
            f"{len(people)} people, {elapsed:.0f} s: {requests_n} requests, {details['rps']} req/s, p95 {p95:.0f} ms, "
            f"5xx {errors_5xx}, failures {tally.failures}",
            f"p95 by kind (ms): {details['p95_ms_by_kind']}",
            f"flat out: inbox {inbox_rps:.0f} req/s through VanThu, {bare_rps:.0f} req/s bare",
        ],
    )
