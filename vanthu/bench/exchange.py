"""`vanthu bench exchange`: documents per second from one installation to another on loopback.

Two installations, each with its own data dir and its own database of the configured engine
(SQLite: the data dir's; PostgreSQL: `<benchmark database>_exchange_a` and `_b` on the same
server, created for the run and dropped after it), each its own `vanthu serve` on a free
loopback port, are made peers; the receiver runs its worker, as a real installation does. N
documents, each a 1 MB main file and two 1 MB attachments, are issued at the sender with no
worker running, so that their packages wait in the outbox. Then a sender process drains the
outbox the way the worker does (`send_one`: build, sign, post, and the acknowledgement's
bookkeeping — outbox row, delivery 00 → 01, statistics, audit; the receiver's door
authenticates the peer, stores the body and stages it with its task, and answers), one document
at a time, and after each document POSTs the very bytes it just sent to the receiver's token
endpoint (which reads the whole body and answers 4xx at once): the bare POST, interleaved with
VanThu's sends. Before each such pair the receiver's worker is left to finish what it has (the
staged package's checks, its PDFs' signatures, indexing), so that neither side of a sample
competes with it for the CPU; what the worker spends on a package is reported beside the ratio
(`receiver_worker_ms_per_package`, read from the receiver's own rows), never inside it.
value = documents/second (1 / median time per document); baseline = 1 / median bare POST;
ratio = VanThu's time over the bare POST's. Details say where the time goes: the sender's build
and sign, the post round-trip (the door inside it), the door's own steps and the worker's steps
timed on one package. Temporary data dirs and databases are removed at the end.
"""

from __future__ import annotations

import hmac
import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests
from pypdf import PdfReader, PdfWriter

from vanthu import runtime
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import write_stream
from vanthu.exchange import edxml, packages, peerauth, sending
from vanthu.exchange.models import OutboxMessage, OutboxState
from vanthu.exchange.site import signing_material, site_id
from vanthu.exchange.testing import create_database, drop_database, installation_database_url
from vanthu.signatures.verify import verify_pdf

from .runner import Context, Result, median, scenario

MB = 1024 * 1024
SENDER, RECEIVER = "000.00.31.H26", "000.00.00.H26"  # the Bloc and the City Party Committee


def one_mb_pdf(label: str) -> bytes:
    """A real PDF of about 1 MB: a page of text and an incompressible embedded file.

    The page carries a text layer, as an issued document does, so that the receiver indexes it
    without OCR: a text-less page would send it to OCR, whose CPU would then weigh on the run."""
    page = [label, "Về việc triển khai thực hiện chuyển đổi số trong các cơ quan đảng năm 2026",
            "Căn cứ Quy định số 399-QĐ/TW; Đảng ủy Khối đề nghị các đảng bộ trực thuộc triển khai thực hiện."]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([page]))))
    writer.add_attachment("du-lieu.bin", os.urandom(MB - 4096))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, port: int, key: str, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_DATA_DIR": str(data_dir), "VANTHU_PUBLIC_URL": f"http://127.0.0.1:{port}", "VANTHU_FAST_PASSWORD_HASHER": "1",
                "VANTHU_KEY_ENCRYPTION_KEY": key, "VANTHU_LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore",
                "VANTHU_EXCHANGE_MAX_BODY_MB": "60", "VANTHU_HTTPS": "0"})
    if database_url:
        env["VANTHU_DATABASE_URL"] = database_url
    return env


def _wait(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _token(url: str, username: str) -> str:
    r = requests.post(f"{url}/api/v1/auth/token", json={"username": username, "password": "demo"}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def _issue(url: str, n: int, files: list[bytes]) -> None:
    tokens = {u: {"Authorization": f"Bearer {_token(url, u)}"} for u in ("cv1.dukhoi", "bt.dukhoi", "vt.dukhoi")}
    orgs = requests.get(f"{url}/api/v1/organizations", params={"limit": 500}, headers=tokens["vt.dukhoi"], timeout=30).json()["items"]
    ids = {o["code"]: o["id"] for o in orgs}
    # The Bloc's secretary signs: the drafter chooses them among the Bloc's signatories.
    leader_id = requests.get(f"{url}/api/v1/me", headers=tokens["bt.dukhoi"], timeout=30).json()["id"]
    signatories = requests.get(f"{url}/api/v1/signatories", params={"organization_id": ids[SENDER]},
                               headers=tokens["cv1.dukhoi"], timeout=30).json()["items"]
    signatory = next(s["id"] for s in signatories if s["user_id"] == leader_id)
    for i in range(n):
        r = requests.post(f"{url}/api/v1/documents", headers=tokens["cv1.dukhoi"], timeout=120, data={
            "organization_id": ids[SENDER], "doc_type": "CV", "subject": f"Về việc đo tốc độ liên thông số {i + 1}",
            "recipient_ids": [ids[RECEIVER]], "signatory_id": signatory}, files=[("file", ("chinh.pdf", files[0], "application/pdf")),
                                                     ("attachments", ("phuluc1.pdf", files[1], "application/pdf")),
                                                     ("attachments", ("phuluc2.pdf", files[2], "application/pdf"))])
        r.raise_for_status()
        doc = r.json()["id"]
        for user, step in (("cv1.dukhoi", "submit"), ("bt.dukhoi", "approve"), ("vt.dukhoi", "issue")):
            requests.post(f"{url}/api/v1/documents/{doc}/{step}", headers=tokens[user], timeout=120).raise_for_status()


def _query(data_dir: Path | str, database_url: str | None, query: str) -> list[tuple]:
    """Rows of the receiver's own database."""
    if database_url:
        with psycopg.connect(database_url) as conn:
            return conn.execute(query).fetchall()
    con = sqlite3.connect(Path(data_dir) / "vanthu.sqlite3", timeout=30)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _received(data_dir: Path, database_url: str | None) -> tuple[int, int]:
    """(packages, distinct packages) the receiver recorded, read from its own database."""
    return _query(data_dir, database_url,
                  "SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM exchange_inboundmessage WHERE kind = 'package'")[0]


def _busy(data_dir: Path | str, database_url: str | None) -> bool:
    """Whether the receiver's worker has something to do now: a staged package not yet checked,
    or a task running or due (tasks scheduled for later, such as a daily check, do not count)."""
    if _query(data_dir, database_url, "SELECT COUNT(*) FROM exchange_stagedpackage WHERE state = 'staged'")[0][0]:
        return True
    now = datetime.now(UTC).replace(tzinfo=None)
    for status, run_after in _query(data_dir, database_url,
                                    "SELECT status, run_after FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"):
        if status == "RUNNING":
            return True
        when = run_after if isinstance(run_after, datetime) else datetime.fromisoformat(str(run_after))
        if when.replace(tzinfo=None) <= now:
            return True
    return False


def _wait_idle(data_dir: Path | str, database_url: str | None, timeout: float = 300) -> float:
    """Wait until the receiver's worker is idle; the seconds waited."""
    t0 = time.monotonic()
    while _busy(data_dir, database_url) and time.monotonic() - t0 < timeout:
        time.sleep(0.05)
    return time.monotonic() - t0


def _worker_figures(data_dir: Path, database_url: str | None) -> dict:
    """The receiver's worker on each staged package: its checks and recording (`processing_ms`),
    and from the door's acknowledgement to the document recorded."""
    rows = _query(data_dir, database_url, "SELECT state, processing_ms, received_at, processed_at FROM exchange_stagedpackage ORDER BY id")
    spent = [r[1] for r in rows if r[1] is not None]
    waits = []
    for _state, _ms, received, processed in rows:
        if processed is not None:
            a, b = (v if isinstance(v, datetime) else datetime.fromisoformat(str(v)) for v in (received, processed))
            waits.append((b - a).total_seconds() * 1000)
    return {"staged": len(rows), "states": sorted({r[0] for r in rows}),
            "processing_ms_all": spent, "processing_ms_median": median(spent) if spent else None,
            "ack_to_recorded_ms_median": round(median(waits), 1) if waits else None}


class Installations:
    """The two installations: data dirs in a temporary directory, databases of the configured
    engine, servers and the receiver's worker; everything removed by `close()`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.root = Path(tempfile.mkdtemp(prefix="vanthu-bench-exchange-"))
        base = runtime.database_url(ctx.db)
        self.urls = {s: installation_database_url(base, s) for s in ("a", "b", "t")}
        self.dirs = {s: self.root / s.upper() for s in ("a", "b", "t")}
        self.ports = {"a": _free_port(), "b": _free_port()}
        self.envs = {"a": _env(self.dirs["a"], self.ports["a"], "bench-a", self.urls["a"]),
                     "b": _env(self.dirs["b"], self.ports["b"], "bench-b", self.urls["b"]),
                     "t": _env(self.dirs["t"], 1, "bench-t", self.urls["t"])}
        self.procs: list[subprocess.Popen] = []
        self.vendor = "postgresql" if self.urls["a"] else "sqlite"
        self.engines: dict[str, str] = {}

    def url(self, site: str) -> str:
        return f"http://127.0.0.1:{self.ports[site]}"

    def _run(self, site: str, *args: str) -> None:
        subprocess.run([sys.executable, "-m", *args], env=self.envs[site], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.ctx.say(f"two installations on {self.vendor}: migrating once, copying the schema …")
        # Migrate once and copy: on a small machine migrating is most of the setup.
        if self.urls["t"]:
            create_database(self.urls["t"])
        self._run("t", "vanthu.cli", "manage", "migrate", "-v", "0")
        for site in ("a", "b"):
            self.dirs[site].mkdir()
            if self.urls[site]:
                create_database(self.urls[site], template=self.urls["t"])
            else:
                shutil.copy(self.dirs["t"] / "vanthu.sqlite3", self.dirs[site] / "vanthu.sqlite3")
        if self.urls["t"]:
            drop_database(self.urls["t"])
        self.ctx.say("seeding the Bloc and the City Party Committee with their certificates …")
        seeds = [subprocess.Popen([sys.executable, "-m", "vanthu.exchange.testing", name, "--data-dir", str(self.dirs[site])],
                                  env=self.envs[site], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for site, name in (("a", "bloc"), ("b", "city"))]
        for p in seeds:
            _out, err = p.communicate(timeout=900)
            if p.returncode:
                raise RuntimeError(f"seeding failed: {err.decode()[-2000:]}")
        for site in ("a", "b"):
            self._spawn(site, "serve", "--port", str(self.ports[site]), "--workers", "2")
        self._spawn("b", "worker")  # the receiver works as it would in production
        for site in ("a", "b"):
            _wait(f"{self.url(site)}/healthz")
        # What each running installation says it runs on: the figure's `database`.
        self.engines = {site: requests.get(f"{self.url(site)}/healthz", timeout=10).json()["database"] for site in ("a", "b")}
        for site, other in (("a", "b"), ("b", "a")):
            self._run(site, "vanthu.cli", "peer", "add", self.url(other), "--trust-roots", "--data-dir", str(self.dirs[site]))

    def _spawn(self, site: str, *args: str) -> None:
        self.procs.append(subprocess.Popen([sys.executable, "-m", "vanthu.cli", *args, "--data-dir", str(self.dirs[site])],
                                           env=self.envs[site], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           start_new_session=True))

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        for url in self.urls.values():
            if url:
                drop_database(url)
        shutil.rmtree(self.root, ignore_errors=True)


@scenario("exchange", default_scale=8, tiny=2, small=4, manages_database=True,
          help="documents/second between two installations on loopback (3 × 1 MB PDFs each)")
def run_exchange(ctx: Context) -> Result:
    n = ctx.scale
    sites = Installations(ctx)
    try:
        sites.start()
        ctx.say(f"issuing {n} documents at the sender (3 × 1 MB each), no worker running …")
        _issue(sites.url("a"), n, [one_mb_pdf(f"Tệp {k}") for k in ("chính", "phụ lục 1", "phụ lục 2")])
        ctx.say("draining the outbox one document at a time, each followed by a bare POST of its bytes …")
        out = subprocess.run([sys.executable, "-m", "vanthu.bench.spawn", f"{__name__}.child", sites.url("b"),
                              str(sites.dirs["b"]), sites.urls["b"] or ""],
                             env=sites.envs["a"], capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        child_out = json.loads(out.stdout.strip().splitlines()[-1])
        _wait_idle(sites.dirs["b"], sites.urls["b"])
        received = tuple(_received(sites.dirs["b"], sites.urls["b"]))
        worker = _worker_figures(sites.dirs["b"], sites.urls["b"])
    finally:
        sites.close()
    ours, bare = child_out["ours_s"], child_out["bare_s"]
    per_doc, bare_per_doc = median(ours), median(bare)
    details = {
        "database": sites.engines["a"] if len(set(sites.engines.values())) == 1 else sites.engines,
        "installations": sites.engines, "documents": n, "samples": len(ours), "baseline_samples": len(bare),
        "package_bytes": child_out["package_bytes"], "files_per_document": 3, "file_mb": 1,
        "ours_ms_per_document": round(per_doc * 1000, 1), "bare_post_ms_per_document": round(bare_per_doc * 1000, 1),
        "ours_ms_all": [round(x * 1000, 1) for x in ours], "bare_ms_all": [round(x * 1000, 1) for x in bare],
        "sender_ms_median": {"read_build_base64": child_out["build_ms"], "xml_dsig_sign": child_out["sign_ms"],
                             "post_round_trip_and_ack (the receiver's door inside)": child_out["post_ms"]},
        "receiver_door_ms_one_package": child_out["door_ms"],
        # Not in the ratio: the receiver's worker after the acknowledgement (each sample waits for it to be idle).
        "receiver_worker_ms_per_package": worker["processing_ms_median"],
        "receiver_worker": worker, "receiver_worker_idle_wait_ms_median": child_out["idle_wait_ms"],
        "receiver_worker_steps_ms_one_package": child_out["receiver_ms"], "received_records": received[0],
        "all_arrived_once": received == (n, n), "signatures_of_one_package": child_out["signature_status"],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ok": received == (n, n) and len(ours) == n and set(sites.engines.values()) == {sites.vendor} and worker["states"] == ["accepted"],
    }
    return Result("exchange", "documents per second, 3 × 1 MB PDFs (median time per document)", "doc/s",
                  1 / per_doc, 1 / bare_per_doc, details=details, higher_is_better=True,
                  summary=[f"VanThu {per_doc * 1000:.0f} ms/document, bare POST {bare_per_doc * 1000:.0f} ms ({sites.vendor})",
                           f"sender: {child_out['build_ms']} ms build, {child_out['sign_ms']} ms sign, {child_out['post_ms']} ms post",
                           f"receiver's door (one package): {child_out['door_ms']}",
                           f"receiver's worker: {worker['processing_ms_median']} ms a package (not in the ratio); steps: {child_out['receiver_ms']}"])


def _timing(sink: list[float], func: Callable) -> Callable:
    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - t)
    return timed


def child(receiver_url: str, receiver_dir: str = "", receiver_db: str = "") -> None:
    """In the sender's environment (`python -m vanthu.bench.spawn`): send each waiting package as
    the worker does, each followed by a bare POST of the same bytes, each pair started with the
    receiver's worker idle; print the timings as JSON."""
    rows = list(OutboxMessage.objects.filter(state=OutboxState.PENDING, kind="package").select_related("peer", "delivery").order_by("id"))
    sign_times: list[float] = []
    build_times: list[float] = []
    bodies: list[bytes] = []
    real_sign, real_build = edxml.sign, sending.message_bytes

    def build(row):
        data = real_build(row)
        bodies.append(data)
        return data

    # Measured inside the worker's own send_one, not changed: signing and building are timed
    # where send_one calls them.
    packages.edxml.sign = _timing(sign_times, real_sign)
    sending.message_bytes = _timing(build_times, build)
    session = requests.Session()

    def bare_post(body: bytes) -> None:
        # A CSRF-free endpoint that reads the whole body and answers at once (422: not JSON).
        r = session.post(f"{receiver_url}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code < 500, r.status_code

    for _ in range(4):  # first requests of each server process build URL maps and API schemas
        bare_post(b"{}")
    ours, bare, post, idle = [], [], [], []
    try:
        for row in rows:
            if receiver_dir:
                idle.append(_wait_idle(receiver_dir, receiver_db or None))
            t0 = time.perf_counter()
            if not sending.send_one(row):
                raise RuntimeError(OutboxMessage.objects.get(pk=row.pk).last_error)
            ours.append(time.perf_counter() - t0)
            post.append(ours[-1] - (build_times[-1] if build_times else 0.0))
            body = bodies[-1] if bodies else real_build(row)
            t0 = time.perf_counter()
            bare_post(body)
            bare.append(time.perf_counter() - t0)
    finally:
        packages.edxml.sign, sending.message_bytes = real_sign, real_build
    body = bodies[0] if bodies else real_build(rows[0])
    print(json.dumps({
        "ours_s": ours, "bare_s": bare, "package_bytes": len(body),
        "build_ms": round((median(build_times) - median(sign_times)) * 1000, 1) if build_times else None,
        "sign_ms": round(median(sign_times) * 1000, 1) if sign_times else None,
        "post_ms": round(median(post) * 1000, 1),
        "idle_wait_ms": round(median(idle) * 1000, 1) if idle else None,
        "door_ms": _door_steps(body, rows[0]),
        **_receiver_steps(body, rows[0]),
    }))


def _door_steps(body: bytes, row: OutboxMessage) -> dict:
    """The door's work on one package (the functions it calls): the body streamed to the store
    with its MAC computed on the way and checked before it is stored (here from memory, and to
    this installation's store, which is on the same disk)."""
    peer = row.peer
    header = peerauth.headers_for(peer, body).get(peerauth.HEADER, "")
    mac = hmac.new(peer.outbound_secret.encode(), b"%s\n%s\n%s\n" % (peerauth.CONTEXT, site_id().encode(), peer.site_id.encode()),
                   "sha256")

    class Body(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(64 * 1024)  # the door's chunk
            mac.update(chunk)
            return chunk

    def admit() -> None:
        assert hmac.compare_digest(peerauth.SCHEME + mac.hexdigest(), header)

    t = time.perf_counter()
    write_stream(Body(body), admit=admit)
    return {"mac_and_store_body": round((time.perf_counter() - t) * 1000, 1)}


def _receiver_steps(body: bytes, row: OutboxMessage) -> dict:
    """The receiver's worker's checks, one by one, on one package (the functions it calls)."""
    steps: dict[str, float] = {}
    try:
        t = time.perf_counter()
        payloads: dict[str, bytes] = {}
        root = edxml.parse(body, payloads=payloads)
        steps["parse_and_base64_decode"] = time.perf_counter() - t
        _key, cert = signing_material(row.delivery.document.issuer)
        t = time.perf_counter()
        edxml.verify(root, cert)
        steps["xml_dsig_verify"] = time.perf_counter() - t
        t = time.perf_counter()
        pkg = edxml.read_package(root, payloads)
        steps["header_and_digests"] = time.perf_counter() - t
        t = time.perf_counter()
        for f in pkg.files:
            inspect_pdf(f.data, f.name)
        steps["inspect_3_pdfs"] = time.perf_counter() - t
        t = time.perf_counter()
        status = verify_pdf(pkg.files[0].data).status
        steps["verify_pdf_signatures"] = time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001 - a detail, not the figure: say what failed, keep the run
        return {"receiver_ms": {k: round(v * 1000, 1) for k, v in steps.items()} | {"error": f"{type(exc).__name__}: {exc}"},
                "signature_status": None}
    return {"receiver_ms": {k: round(v * 1000, 1) for k, v in steps.items()}, "signature_status": status}
