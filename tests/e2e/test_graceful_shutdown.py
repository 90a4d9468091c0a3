"""Graceful shutdown with real processes (issue 22 §5): what systemd's `stop` (SIGTERM) does to
`vanthu serve` while an upload is in flight and to `vanthu worker` while a task runs.

- The web server stops taking connections, lets the requests in flight finish (gunicorn's
  --graceful-timeout, 30 s), then exits: an upload sent slowly across the signal is answered 201
  and its document and file are whole.
- A worker finishes the task in hand and takes no other: that task is done once, the next one
  stays in the queue for another worker. Told twice (SIGTERM again before the task ends), it
  stops at once and the task goes back to the queue (vanthu.web.queues.requeue_interrupted),
  to be done by the next worker: never lost, never finished twice.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader, PdfWriter

from vanthu import runtime
from vanthu.documents.models import Document, DocumentFile
from vanthu.testing import factories as f
from vanthu.testing.tasks import leave_trace
from vanthu.testing.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
GRACE = 30  # gunicorn's --graceful-timeout (vanthu.runtime.gunicorn_argv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANTHU_", "PROMETHEUS_"))}
    return env | {
        "VANTHU_DATABASE_URL": runtime.database_url(connection.settings_dict),
        "VANTHU_SECRET_KEY": django_settings.SECRET_KEY, "VANTHU_DATA_DIR": str(django_settings.DATA_DIR),
        "VANTHU_HTTPS": "0", "VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_2FA_REQUIRED_ROLES": "",
        "VANTHU_SIGNIN_RATE_PER_MINUTE": "0", "VANTHU_LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore",
    }


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _big_pdf(megabytes: float) -> bytes:
    """A real one-page PDF made large by a comment in its content stream (nothing compresses it)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(f.pdf_bytes("Về việc tải lên khi máy chủ dừng"))))
    contents = writer.pages[0].get_contents()
    filler = os.urandom(int(megabytes * 1024 * 1024) // 2).hex().encode()
    contents.set_data(contents.get_data() + b"\n%" + filler + b"\n")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log = tmp_path / "web.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vanthu.cli", "serve", "--port", str(port), "--workers", "1", "--data-dir",
         str(django_settings.DATA_DIR)],
        env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            return requests.get(f"{url}/readyz", timeout=5).ok
        except requests.RequestException:
            return False

    try:
        wait_until(ready, 180, "the server")
        yield proc, url, port
    finally:
        _stop(proc, signal.SIGKILL)
        proc.wait(10)


def test_a_web_server_told_to_stop_finishes_the_upload_in_flight(world, server):
    proc, url, port = server
    token = requests.post(f"{url}/api/v1/auth/token", json={"username": world.a.specialist.username, "password": "demo"},
                          timeout=30).json()["token"]
    pdf = _big_pdf(4)
    request = requests.Request("POST", f"{url}/api/v1/documents", headers={"Authorization": f"Bearer {token}"}, data={
        "organization_id": world.a.org.id, "doc_type": "CV", "subject": "Về việc tải lên khi máy chủ dừng",
        "recipient_ids": [world.b.org.id]}, files={"file": ("congvan.pdf", pdf, "application/pdf")}).prepare()
    body = request.body
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.putrequest("POST", "/api/v1/documents", skip_accept_encoding=True)
    for name, value in request.headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    chunk = 256 * 1024
    sent = 0
    stopped = threading.Event()
    started = None
    # A slow client: the body takes a few seconds, and the server is told to stop a third of the way in.
    while sent < len(body):
        conn.send(body[sent:sent + chunk])
        sent += chunk
        if sent >= len(body) // 3 and not stopped.is_set():
            time.sleep(0.5)  # the request is in a thread's hands
            _stop(proc)  # as systemd's stop does
            started = time.monotonic()
            stopped.set()
        time.sleep(0.15)
    response = conn.getresponse()
    answer = response.read()
    assert response.status == 201, answer[:500]
    # The server goes away within its grace period, taking no new connection meanwhile.
    proc.wait(GRACE + 15)
    assert time.monotonic() - started < GRACE + 15
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=5)
    # The document and its file are whole.
    doc = Document.objects.get(subject="Về việc tải lên khi máy chủ dừng")
    stored = DocumentFile.objects.get(document=doc).file
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest() and stored.size == len(pdf)


def test_a_web_server_told_to_stop_answers_the_request_it_is_working_on(world, server):
    """A request Django is already running when the signal comes (a login: the password hash
    takes a moment) is answered; the process then exits cleanly."""
    proc, url, _port = server
    results: list[requests.Response] = []

    def sign_in() -> None:
        results.append(requests.post(f"{url}/api/v1/auth/token",
                                     json={"username": world.b.clerk.username, "password": "demo"}, timeout=60))

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    _stop(proc)
    for t in threads:
        t.join(60)
    assert proc.wait(GRACE + 15) == 0
    # Every request that reached the server got its answer; none was cut off half-way.
    assert results and all(r.status_code == 200 and r.json()["token"] for r in results)


def _worker(tmp_path: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker", "--queue", "default"], cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=(tmp_path / f"{name}.log").open("wb"), start_new_session=True)


def _trace(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def test_a_worker_told_to_stop_finishes_its_task_and_leaves_the_next_in_the_queue(tmp_path):
    first, second = tmp_path / "first.trace", tmp_path / "second.trace"
    running = leave_trace.enqueue(str(first), seconds=4)
    worker = _worker(tmp_path, "worker1")
    try:
        wait_until(lambda: _trace(first) == ["start"], 120, "the task to start")
        waiting = leave_trace.enqueue(str(second))
        _stop(worker)
        assert worker.wait(60) == 0
        assert _trace(first) == ["start", "end"] and _status(running) == "SUCCESSFUL"
        # The next task was not taken by a worker on its way out.
        assert _status(waiting) == "READY" and _trace(second) == []
    finally:
        _stop(worker, signal.SIGKILL)
        worker.wait(10)
    other = _worker(tmp_path, "worker2")
    try:
        wait_until(lambda: _status(waiting) == "SUCCESSFUL", 120, "another worker to take the next task")
    finally:
        _stop(other)
        other.wait(60)
    assert _trace(second) == ["start", "end"] and _trace(first) == ["start", "end"]


def test_a_worker_told_twice_gives_its_task_back_to_the_queue(tmp_path):
    trace = tmp_path / "task.trace"
    result = leave_trace.enqueue(str(trace), seconds=6)
    worker = _worker(tmp_path, "worker1")
    try:
        wait_until(lambda: _trace(trace) == ["start"], 120, "the task to start")
        _stop(worker)
        time.sleep(0.5)
        _stop(worker)  # an impatient operator, or a container runtime's second signal
        worker.wait(30)
        # Cut short, not failed: back in the queue, not among the dead letters.
        assert _trace(trace) == ["start"]
        assert _status(result) == "READY"
    finally:
        _stop(worker, signal.SIGKILL)
        worker.wait(10)
    other = _worker(tmp_path, "worker2")
    try:
        wait_until(lambda: _status(result) == "SUCCESSFUL", 120, "another worker to do the task")
    finally:
        _stop(other)
        other.wait(60)
    assert _trace(trace) == ["start", "start", "end"]  # begun twice, done once
