"""Operations endpoints: /readyz names what is not reachable, /metrics is parsed as Prometheus
reads it (and adds up several server processes), logs can be JSON lines with request ids."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from vanthu.documents.models import Delivery, StatusCode
from vanthu.exchange.models import MessageKind, OutboxMessage, Peer
from vanthu.exchange.tasks import send_outbox
from vanthu.security.logs import JsonFormatter, RequestIdFilter
from vanthu.signatures.actions import check_pdf
from vanthu.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of a Prometheus text exposition (the parser rejects a bad one)."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def test_readyz_answers_ok_when_database_storage_and_queue_answer(db):
    r = Client().get("/readyz")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "ok"
    assert {k: v["status"] for k, v in body["checks"].items()} == {"database": "ok", "storage": "ok", "queue": "ok"}


def test_readyz_is_503_and_names_the_storage_when_it_cannot_be_written(db, tmp_path, settings):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's parent should be")
    settings.FILES_DIR = blocker / "files"
    r = Client().get("/readyz")
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks["storage"]["status"] == "error"
    assert checks["database"]["status"] == "ok" and checks["queue"]["status"] == "ok"
    assert Client().get("/healthz").status_code == 200  # up, though not ready


def test_metrics_report_requests_by_route_and_the_database_figures(world, django_capture_on_commit_callbacks):
    w = world
    peer = Peer.objects.create(name="Thành ủy Hà Nội", base_url="http://127.0.0.1:9", endpoint="http://127.0.0.1:9/x",
                               site_id="thanh-uy")
    doc = f.issued(w.a.org, specialist=w.a.specialist, leader=w.a.leader, clerk=w.a.clerk, recipients=[w.b.org, w.c.org])
    old = timezone.now() - timedelta(minutes=10)
    OutboxMessage.objects.create(message_id=uuid.uuid4(), peer=peer, kind=MessageKind.PACKAGE,
                                 delivery=f.delivery_to(doc, w.b.org), created_at=old, next_attempt_at=old, lease_until=old)
    Delivery.objects.filter(pk=f.delivery_to(doc, w.c.org).pk).update(status_code=StatusCode.SEND_FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        send_outbox.enqueue()  # the database backend: one task waiting on "default"

    client = Client()
    for _ in range(3):
        assert client.get(f"/api/v1/documents/{doc.pk}").status_code in (401, 404)
    r = client.get("/metrics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    samples = _samples(r.content.decode())
    route = frozenset({"method": "GET", "route": "/api/v1/documents/<document_id>", "status": "4xx"}.items())
    assert samples[("vanthu_http_requests_total", route)] >= 3
    assert samples[("vanthu_http_request_duration_seconds_count", route)] >= 3
    assert samples[("vanthu_queue_depth", frozenset({"queue": "default"}.items()))] >= 1
    assert samples[("vanthu_queue_oldest_age_seconds", frozenset({"queue": "default"}.items()))] >= 0
    assert samples[("vanthu_exchange_outbox_pending", frozenset({"peer": "thanh-uy"}.items()))] == 1
    assert samples[("vanthu_exchange_outbox_oldest_age_seconds", frozenset({"peer": "thanh-uy"}.items()))] >= 600
    assert samples[("vanthu_failed_deliveries", frozenset({"channel": "exchange"}.items()))] == 1
    assert samples[("vanthu_failed_deliveries", frozenset({"channel": "mail"}.items()))] == 0


def test_metrics_count_signature_checks_and_time_searches(world, api_as):
    before = _samples(Client().get("/metrics").content.decode())
    check_pdf(f.pdf_bytes())  # an unsigned PDF
    api = api_as(world.a.clerk)
    assert api.get("/api/v1/search", q="nghị quyết").status_code == 200
    after = _samples(Client().get("/metrics").content.decode())
    unsigned = ("vanthu_signature_verifications_total", frozenset({"outcome": "unsigned"}.items()))
    searches = ("vanthu_search_duration_seconds_count", frozenset())
    assert after[unsigned] == before.get(unsigned, 0) + 1
    assert after[searches] == before.get(searches, 0) + 1


def test_metrics_are_not_shown_through_a_proxy_or_without_the_token(db, settings):
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 404
    settings.VANTHU_METRICS_TOKEN = "s3cret-scraper-token"
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token").status_code == 200


def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept(db):
    r = Client().get("/healthz")
    assert len(r["X-Request-ID"]) == 32
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert kept["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    forged = Client().get("/healthz", HTTP_X_REQUEST_ID='x", "level": "CRITICAL')
    assert forged["X-Request-ID"] != 'x", "level": "CRITICAL' and len(forged["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id_and_the_extra_fields(db):
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    handler = Keep()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("vanthu.web.ops")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        with override_settings(FILES_DIR="/proc/version/files"):  # a store that cannot be made
            r = Client().get("/readyz", HTTP_X_REQUEST_ID="req-1234567890")
    finally:
        logger.removeHandler(handler)
    assert r.status_code == 503
    lines = [json.loads(s) for s in seen]
    line = next(x for x in lines if "readiness check storage failed" in x["message"])
    assert line["request_id"] == "req-1234567890"
    assert line["level"] == "WARNING" and line["logger"] == "vanthu.web.ops" and "time" in line


# --- several server processes ----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`vanthu serve --workers 2` on its own SQLite data dir, JSON logs on."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANTHU_", "PROMETHEUS_"))}
    env.update({"VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_HTTPS": "0", "VANTHU_SERVER_THREADS": "2",
                "VANTHU_LOG_FORMAT": "json", "VANTHU_LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore"})
    data_dir = tmp_path / "served"
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vanthu.cli", "serve", "--port", str(port), "--workers", "2", "--data-dir", str(data_dir)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "the server exited on start: " + (tmp_path / "server.log").read_text()[-2000:]
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", data_dir, tmp_path / "server.log"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.mark.slow
def test_metrics_add_up_every_server_process(served):
    base, data_dir, log_path = served
    # /readyz, which nothing else asks here (a start-up poll of /healthz given up by the client may
    # still be answered, and counted, later).
    key = ("vanthu_http_requests_total", frozenset({"method": "GET", "route": "/readyz", "status": "2xx"}.items()))
    before = _samples(requests.get(f"{base}/metrics", timeout=10).text).get(key, 0)
    # Many short connections: gunicorn's processes take turns accepting them.
    total = 40
    for _ in range(total):
        assert requests.get(f"{base}/readyz", headers={"Connection": "close"}, timeout=30).status_code == 200
    shared = data_dir / "metrics"
    pids = {p.stem.rsplit("_", 1)[-1] for p in shared.glob("counter_*.db")}
    assert len(pids) >= 2, f"only {pids} answered: the test proves nothing about adding up"
    for _ in range(4):  # whichever process answers the scrape, it counts every process's requests
        samples = _samples(requests.get(f"{base}/metrics", headers={"Connection": "close"}, timeout=10).text)
        assert samples[key] == before + total
    # The access log is JSON lines with the request id the application answered with.
    r = requests.get(f"{base}/healthz", headers={"X-Request-ID": "trace-abcdef123456"}, timeout=10)
    assert r.headers["X-Request-ID"] == "trace-abcdef123456"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        access = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith('{"time"')]
        if any(a.get("request_id") == "trace-abcdef123456" for a in access):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no JSON access-log line with the request id")
    # The application's own lines (the plain-HTTP warning every start logs) are JSON too.
    warning = next(a for a in access if a["logger"] != "access")
    assert warning["level"] == "WARNING" and warning["message"]
