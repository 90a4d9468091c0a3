"""`vanthu bench exchange`: documents per second from one installation to another on loopback.

Two installations (each its own data dir and SQLite database, its own `vanthu serve` on a free
loopback port) are made peers. N documents, each a 1 MB main file and two 1 MB attachments, are
issued at the sender with no worker running, so their packages wait in the outbox. Then a
sender process drains the outbox the way the worker does (build, sign, post; the receiver
parses, verifies the envelope signature and the PDF signatures, stores, answers) and times it.
The sender's own bookkeeping (the acknowledgement: outbox row, delivery 00 → 01, statistics,
audit) is inside the timed loop, as the worker's `send_one` does it. Baseline: a bare HTTP POST of the same package bytes between the same two ports (to the
receiver's token endpoint, which reads the whole body and answers 4xx at once). value = documents/second; ratio =
VanThu's time per document over the bare POST's. Details say where the time goes: the sender's
build and sign, the post round-trip, and each receiving step timed on one package.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from vanthu.bench.runner import Context, Result, median, scenario

MB = 1024 * 1024


def one_mb_pdf(label: str) -> bytes:
    """A real PDF of about 1 MB: a page of text and an incompressible embedded file."""
    from pypdf import PdfReader, PdfWriter

    from vanthu.documents.pdfgen import make_pdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([[label]]))))
    writer.add_attachment("du-lieu.bin", os.urandom(MB - 4096))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, port: int, key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_DATA_DIR": str(data_dir), "VANTHU_PUBLIC_URL": f"http://127.0.0.1:{port}", "VANTHU_FAST_PASSWORD_HASHER": "1",
                "VANTHU_KEY_ENCRYPTION_KEY": key, "VANTHU_LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore",
                "VANTHU_EXCHANGE_MAX_BODY_MB": "60", "VANTHU_HTTPS": "0"})  # plain HTTP on the loopback
    return env


def _wait(url: str, timeout: float = 90) -> None:
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


def _issue(url: str, n: int, files: list[bytes], recipient_code: str, issuer_code: str) -> None:
    tokens = {u: {"Authorization": f"Bearer {_token(url, u)}"} for u in ("cv1.dukhoi", "bt.dukhoi", "vt.dukhoi")}
    orgs = requests.get(f"{url}/api/v1/organizations", params={"limit": 500}, headers=tokens["vt.dukhoi"], timeout=30).json()["items"]
    ids = {o["code"]: o["id"] for o in orgs}
    for i in range(n):
        r = requests.post(f"{url}/api/v1/documents", headers=tokens["cv1.dukhoi"], timeout=120, data={
            "organization_id": ids[issuer_code], "doc_type": "CV", "subject": f"Về việc đo tốc độ liên thông số {i + 1}",
            "recipient_ids": [ids[recipient_code]]}, files=[("file", ("chinh.pdf", files[0], "application/pdf")),
                                                           ("attachments", ("phuluc1.pdf", files[1], "application/pdf")),
                                                           ("attachments", ("phuluc2.pdf", files[2], "application/pdf"))])
        r.raise_for_status()
        doc = r.json()["id"]
        for user, step in (("cv1.dukhoi", "submit"), ("bt.dukhoi", "approve"), ("vt.dukhoi", "issue")):
            requests.post(f"{url}/api/v1/documents/{doc}/{step}", headers=tokens[user], timeout=120).raise_for_status()


@scenario("exchange", default_scale=8, help="documents/second between two installations on loopback (3 × 1 MB PDFs each)")
def run_exchange(ctx: Context) -> Result:
    n = ctx.scale
    root = Path(tempfile.mkdtemp(prefix="vanthu-bench-exchange-"))
    a_dir, b_dir = root / "A", root / "B"
    a_port, b_port = _free_port(), _free_port()
    a_env, b_env = _env(a_dir, a_port, "bench-a"), _env(b_dir, b_port, "bench-b")
    py = [sys.executable, "-m"]
    procs: list[subprocess.Popen] = []
    try:
        ctx.say("seeding two installations (Bloc, City Party Committee) with their certificates …")
        seeds = [subprocess.Popen([*py, "vanthu.exchange.testing", site, "--data-dir", str(d)], env=e, stdout=subprocess.DEVNULL)
                 for site, d, e in (("bloc", a_dir, a_env), ("city", b_dir, b_env))]
        for p in seeds:
            if p.wait(600):
                raise RuntimeError("seeding failed")
        for d, port, e in ((a_dir, a_port, a_env), (b_dir, b_port, b_env)):
            procs.append(subprocess.Popen([*py, "vanthu.cli", "serve", "--port", str(port), "--workers", "2", "--data-dir", str(d)],
                                          env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        a_url, b_url = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
        _wait(f"{a_url}/healthz")
        _wait(f"{b_url}/healthz")
        for d, e, other in ((a_dir, a_env, b_url), (b_dir, b_env, a_url)):
            subprocess.run([*py, "vanthu.cli", "peer", "add", other, "--trust-roots", "--data-dir", str(d)], env=e, check=True,
                           stdout=subprocess.DEVNULL)
        ctx.say(f"issuing {n} documents at the sender (3 × 1 MB each), no worker running …")
        files = [one_mb_pdf(f"Tệp {k}") for k in ("chính", "phụ lục 1", "phụ lục 2")]
        _issue(a_url, n, files, "000.00.00.H26", "000.00.31.H26")
        ctx.say("draining the outbox (build, sign, post; receiver verifies and stores), then bare POSTs …")
        out = subprocess.run([*py, "vanthu.exchange.bench", "child", str(a_dir), b_url], env=a_env, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        child = json.loads(out.stdout.strip().splitlines()[-1])
        import sqlite3

        con = sqlite3.connect(b_dir / "vanthu.sqlite3")
        received = con.execute("SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM exchange_inboundmessage WHERE kind = 'package'").fetchone()
        con.close()
    finally:
        import signal

        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(30)
    per_doc = child["total_s"] / n
    bare_per_doc = median(child["bare_s"])
    details = {
        "documents": n, "package_bytes": child["package_bytes"], "files_per_document": 3, "file_mb": 1,
        "ours_ms_per_document": round(per_doc * 1000, 1), "bare_post_ms_per_document": round(bare_per_doc * 1000, 1),
        "sender_ms_median": {"read_build_base64": child["build_ms"], "xml_dsig_sign": child["sign_ms"],
                             "post_round_trip_and_ack (receiver work inside)": child["post_ms"]},
        "receiver_ms_one_package": child["receiver_ms"], "received_records": received[0], "all_arrived_once": received == (n, n),
        "signatures_on_arrival": child["signature_status"],
    }
    return Result("exchange", "documents per second, 3 × 1 MB PDFs, signatures verified on arrival", "doc/s",
                  1 / per_doc, 1 / bare_per_doc, details=details, higher_is_better=True,
                  summary=[f"VanThu {per_doc * 1000:.0f} ms/document, bare POST {bare_per_doc * 1000:.0f} ms",
                           f"sender: {child['build_ms']} ms build, {child['sign_ms']} ms sign, {child['post_ms']} ms post",
                           f"receiver (one package): {child['receiver_ms']}"])


def child(data_dir: str, receiver_url: str) -> None:
    """In the sender's environment: drain the outbox timing each step, then the bare POSTs."""
    os.environ["VANTHU_DATA_DIR"] = data_dir
    from vanthu.cli import _setup

    _setup(data_dir)
    from vanthu.documents.pdf import inspect_pdf
    from vanthu.signatures.verify import verify_pdf

    from . import edxml, packages, sending
    from .models import OutboxMessage, OutboxState

    rows = list(OutboxMessage.objects.filter(state=OutboxState.PENDING, kind="package").select_related("peer", "delivery").order_by("id"))
    build, post, bodies = [], [], []
    real_sign = edxml.sign
    sign_times: list[float] = []

    def timed_sign(root, key, cert):
        t = time.perf_counter()
        data = real_sign(root, key, cert)
        sign_times.append(time.perf_counter() - t)
        return data

    real_build = sending.message_bytes

    def timed_build(row):
        t = time.perf_counter()
        data = real_build(row)
        build.append(time.perf_counter() - t)
        bodies.append(data)
        return data

    packages.edxml.sign = timed_sign  # measure signing inside message_bytes without changing it
    sending.message_bytes = timed_build  # and building, inside the worker's own send_one
    for _ in range(4):  # first requests of each server process build URL maps and API schemas
        requests.post(f"{receiver_url}/api/v1/auth/token", data=b"{}", headers={"Content-Type": "application/json"}, timeout=60)
    started = time.perf_counter()
    for row in rows:
        t0 = time.perf_counter()
        # What the worker does for each message: build, sign, post, and record the acknowledgement
        # (outbox row sent, the delivery 00 → 01 with its event and statistics, the audit entry).
        if not sending.send_one(row):
            raise RuntimeError(OutboxMessage.objects.get(pk=row.pk).last_error)
        post.append(time.perf_counter() - t0 - build[-1])
    total = time.perf_counter() - started
    packages.edxml.sign = real_sign
    sending.message_bytes = real_build
    session = requests.Session()
    bare = []
    for body in bodies:
        t = time.perf_counter()
        # A CSRF-free endpoint that reads the whole body and answers at once (422: not JSON).
        r = session.post(f"{receiver_url}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code < 500, r.status_code
        bare.append(time.perf_counter() - t)
    # The receiver's steps, one by one, on one package (same code the endpoint runs).
    body = bodies[0]
    steps: dict[str, float] = {}
    t = time.perf_counter()
    payloads: dict[str, bytes] = {}
    root = edxml.parse(body, payloads=payloads)
    steps["parse_and_base64_decode"] = time.perf_counter() - t
    from .site import signing_material

    _key, cert = signing_material(rows[0].delivery.document.issuer)
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
    report = verify_pdf(pkg.files[0].data)
    steps["verify_pdf_signatures"] = time.perf_counter() - t
    sign_ms = [s * 1000 for s in sign_times]
    print(json.dumps({
        "total_s": total, "bare_s": bare, "package_bytes": len(body),
        "build_ms": round(median([b * 1000 for b in build]) - median(sign_ms), 1), "sign_ms": round(median(sign_ms), 1),
        "post_ms": round(median([p * 1000 for p in post]), 1),
        "receiver_ms": {k: round(v * 1000, 1) for k, v in steps.items()},
        "signature_status": report.status,
    }))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
