"""`vanthu bench load`: many people at once against gunicorn, for a bounded time.

A realistic office mix, each simulated person pausing between actions as people do:
clerks list the inbox and accept what arrived, leaders list what was accepted and assign it
(and look at the statistics dashboard), specialists list their assignments and complete them,
everyone searches now and then. Measured: requests per second, p95 latency, errors.

`ratio`: the inbox endpoint's throughput over a bare Django JSON view's (`/healthz`, one
`SELECT 1`), each driven flat out by the same number of clients against the same server.

Options (`--scale` = simulated users): VANTHU_LOAD_SECONDS (default 60),
VANTHU_LOAD_THINK_SECONDS (mean pause, default 5), VANTHU_LOAD_WORKERS (server processes,
default 2), VANTHU_LOAD_THREADS (threads per process, default 8).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .runner import Context, Result, percentile, scenario

ORG_PEOPLE = 5  # a clerk, a leader and three specialists per organisation
SEARCH_WORDS = ["chuyển đổi số", "báo cáo", "kế hoạch", "nghị quyết", "tổng kết", "hội nghị", "đảng viên"]


class LoadResult(Result):
    """The issue fixes this ratio as inbox throughput / bare throughput (higher is better)."""

    inbox_over_bare: float | None = None

    @property
    def ratio(self) -> float | None:  # type: ignore[override]
        return self.inbox_over_bare


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


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _seed(ctx: Context, users: int) -> tuple[list[Person], int]:
    """Organisations with their people, API tokens and sessions, and documents waiting in every inbox."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from vanthu.accounts.actions import issue_api_token
    from vanthu.documents.actions import issue_document
    from vanthu.documents.doctypes import ensure_document_types
    from vanthu.documents.models import Document
    from vanthu.organizations.models import Role

    from . import world

    ensure_document_types()
    tag = world.run_tag()
    n_orgs = max(1, users // ORG_PEOPLE)
    issuer = world.make_issuer(tag, "LOAD")
    orgs = world.make_orgs(tag, "LOADR", n_orgs, parent=issuer.org)
    people: list[Person] = []
    for org in orgs:
        members = [(Role.CLERK, world.make_person(org, tag, Role.CLERK)), (Role.LEADER, world.make_person(org, tag, Role.LEADER))]
        for i in range(ORG_PEOPLE - 2):
            u = world.make_person(org, f"{tag}s{i}", Role.SPECIALIST)
            members.append((Role.SPECIALIST, u))
        spec_ids = [u.id for r, u in members if r == Role.SPECIALIST]
        for role, user in members:
            raw, _t = issue_api_token(user=user)
            s = SessionStore()
            s[SESSION_KEY] = str(user.pk)
            s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            s[HASH_SESSION_KEY] = user.get_session_auth_hash()
            s["vanthu_org_id"] = org.id
            s.create()
            people.append(Person(role=str(role), org_id=org.id, token=raw, session=s.session_key, user_id=user.id,
                                 specialists=spec_ids))
    # Enough arrivals for clerks to accept during the whole run (one per pause at most).
    seconds = int(os.environ.get("VANTHU_LOAD_SECONDS", "60"))
    think = float(os.environ.get("VANTHU_LOAD_THINK_SECONDS", "5"))
    n_docs = max(10, min(80, int(seconds / max(think, 0.5) / 3) + 5))
    ctx.say(f"seeding {n_orgs} organisations, {len(people)} people, {n_docs} documents to every inbox")
    ids = world.approved_documents(issuer, [[o.id for o in orgs]] * n_docs, doc_type="CV",
                                   subject="Về việc triển khai chuyển đổi số và báo cáo kết quả")
    for doc in Document.objects.filter(id__in=ids).order_by("id"):
        issue_document(doc, user=issuer.clerk)
    return people, n_docs


class Browser:
    """One simulated person's HTTP client (keep-alive), timing every request."""

    def __init__(self, base: str, person: Person, tally: Tally) -> None:
        import requests

        self.base = base
        self.person = person
        self.tally = tally
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
                self.call("dashboard", "GET", "/", cookies={"sessionid": p.session}, headers={"Authorization": ""})
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


def _drive(base: str, people: list[Person], seconds: float, think: float, tally: Tally) -> float:
    """Every person acts, pauses (exponential, mean `think`), acts again, until time is up."""
    stop_at = time.monotonic() + seconds

    def life(i: int, person: Person) -> None:
        rng = random.Random(i)
        b = Browser(base, person, tally)
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


def _flat_out(base: str, person: Person, path: str, params: dict, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second when `clients` loop on one endpoint without pausing; and 5xx seen."""
    tally = Tally()
    stop_at = time.monotonic() + seconds

    def loop() -> None:
        b = Browser(base, person, tally)
        while time.monotonic() < stop_at:
            b.call("flat", "GET", path, params=params)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(tally.times) / (time.monotonic() - started), tally.errors_5xx


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
    import requests

    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited on start")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in 60 s")


@scenario("load", default_scale=100, help="simulated office users against gunicorn: p95 ms, rps, errors; ratio inbox/bare throughput")
def run_load(ctx: Context) -> Result:
    from django.conf import settings
    from django.db import connection

    users = ctx.scale
    seconds = float(os.environ.get("VANTHU_LOAD_SECONDS", "60"))
    think = float(os.environ.get("VANTHU_LOAD_THINK_SECONDS", "5"))
    workers = int(os.environ.get("VANTHU_LOAD_WORKERS", "2"))
    threads = int(os.environ.get("VANTHU_LOAD_THREADS", "8"))
    people, n_docs = _seed(ctx, users)
    connection.close()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update({
        "VANTHU_DATABASE_URL": _database_url(ctx.db), "VANTHU_DATA_DIR": str(settings.DATA_DIR),
        "VANTHU_SIGNIN_RATE_PER_MINUTE": "0", "VANTHU_2FA_REQUIRED_ROLES": "", "VANTHU_LOG_LEVEL": "ERROR",
        "VANTHU_DEBUG": "0", "VANTHU_HTTPS": "0",  # plain HTTP on the loopback
    })
    from vanthu.cli import _gunicorn_argv

    # The server exactly as `vanthu serve` runs it (worker class, body guard, keep-alive 30 s:
    # longer than the longest pause, so a client never reuses a connection the server just closed).
    cmd = _gunicorn_argv("127.0.0.1", port, workers, threads, access_log=False)
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_up(base, server)
        ctx.say(f"gunicorn on {base} ({workers} processes × {threads} threads); {users} people for {seconds:.0f} s")
        tally = Tally()
        cpu_before = _server_cpu_seconds(server.pid)
        elapsed = _drive(base, people, seconds, think, tally)
        cpu_after = _server_cpu_seconds(server.pid)
        load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        clerk = next(p for p in people if p.role == "clerk")
        clients = workers * threads
        flat_seconds = max(5.0, min(20.0, seconds / 6))
        ctx.say(f"throughput: inbox vs bare view, {clients} clients flat out, {flat_seconds:.0f} s each")
        c0 = _server_cpu_seconds(server.pid)
        inbox_rps, inbox_5xx = _flat_out(base, clerk, "/api/v1/inbox", {"organization_id": clerk.org_id, "limit": 20}, clients, flat_seconds)
        c1 = _server_cpu_seconds(server.pid)
        bare_rps, bare_5xx = _flat_out(base, clerk, "/healthz", {}, clients, flat_seconds)
        c2 = _server_cpu_seconds(server.pid)
        flat_cpu = {}
        if None not in (c0, c1, c2):
            flat_cpu = {"inbox_server_cpu_ms": round((c1 - c0) * 1000 / max(1, inbox_rps * flat_seconds), 3),
                        "bare_server_cpu_ms": round((c2 - c1) * 1000 / max(1, bare_rps * flat_seconds), 3)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    times = tally.times
    p95 = percentile(times, 95) if times else 0.0
    requests_n = len(times)
    details = {
        "users": users, "seconds": round(elapsed, 1), "think_seconds_mean": think, "requests": requests_n,
        "rps": round(requests_n / elapsed, 1) if elapsed else 0, "errors_5xx": tally.errors_5xx + inbox_5xx + bare_5xx,
        "errors_4xx_unexpected": tally.errors_other, "connection_failures": tally.failures,
        "failure_kinds": tally.failure_kinds,
        "no_server_errors": tally.errors_5xx + inbox_5xx + bare_5xx == 0 and tally.failures == 0,
        "p50_ms": round(percentile(times, 50), 1) if times else None, "p99_ms": round(percentile(times, 99), 1) if times else None,
        "by_kind": tally.by_kind, **flat_cpu,
        "p95_ms_by_kind": {k: round(percentile(v, 95), 1) for k, v in sorted(tally.times_by_kind.items())},
        "inbox_rps_flat_out": round(inbox_rps, 1), "bare_rps_flat_out": round(bare_rps, 1),
        # The server's own CPU per request of the mix (PostgreSQL and the simulated people not
        # counted): comparable between runs whatever else the machine is doing.
        "server_cpu_ms_per_request": (round((cpu_after - cpu_before) * 1000 / requests_n, 2)
                                      if cpu_before is not None and cpu_after is not None and requests_n else None),
        "load_average_1min_at_end": round(load_avg, 2) if load_avg is not None else None,
        "gunicorn": {"workers": workers, "threads": threads}, "documents_per_inbox": n_docs,
        "database": connection.vendor,
    }
    result = LoadResult(
        scenario="load", metric="p95 latency of the office mix", unit="ms", value=p95, baseline=bare_rps,
        details=details,
        summary=[
            f"{users} people, {elapsed:.0f} s: {requests_n} requests, {details['rps']} req/s, p95 {p95:.0f} ms, "
            f"5xx {details['errors_5xx']}, failures {tally.failures}",
            f"flat out: inbox {inbox_rps:.0f} req/s, bare view {bare_rps:.0f} req/s",
        ],
    )
    result.inbox_over_bare = round(inbox_rps / bare_rps, 3) if bare_rps else None
    return result
