"""Several stateless application servers and workers on one database and one S3 bucket.

Three `vanthu serve` processes (each with its own, empty data dir), two `vanthu worker`
processes, the suite's database and moto's S3 server, all on the loopback. The client plays the
load balancer: it sends each request to the next server, and to the one after when a server does
not answer (as nginx's proxy_next_upstream does). Midway, one server and one worker are killed
with SIGKILL. Then: a session made on one server works on the others, wrong passwords count
towards one lockout whichever server took them, every document went through exactly once with
gapless numbers and one delivery per recipient, every stored file is in the bucket with the right
hash and none on a server's disk, and the surviving worker drains the queue, the tasks the killed
one was running included.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from vanthu import runtime
from vanthu.documents import storage
from vanthu.documents.models import Delivery, DocStatus, Document, StoredFile
from vanthu.testing import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    urls: list[str]
    servers: list[subprocess.Popen]
    workers: list[subprocess.Popen]
    data_dirs: list[Path]
    bucket: str
    alive: list[str] = field(default_factory=list)
    turn: int = 0

    def call(self, method: str, path: str, *, token: str = "", **kw) -> requests.Response:
        """The next live server takes the request; one that refuses the connection is skipped."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for _ in range(len(self.alive)):
            url = self.alive[self.turn % len(self.alive)]
            self.turn += 1
            try:
                return requests.request(method, url + path, headers=headers, timeout=60, **kw)
            except requests.ConnectionError:
                continue  # nothing reached a dead server: safe to send elsewhere
        raise AssertionError("no server answered")


def _kill(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def cluster(world, moto_server, tmp_path):
    bucket = moto_server.new_bucket()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANTHU_", "PROMETHEUS_"))}
    env.update({
        "VANTHU_DATABASE_URL": runtime.database_url(connection.settings_dict),
        "VANTHU_SECRET_KEY": django_settings.SECRET_KEY,  # one key for every server, as in production
        "VANTHU_STORAGE_URL": moto_server.url(bucket),
        "VANTHU_HTTPS": "0", "VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_2FA_REQUIRED_ROLES": "",
        "VANTHU_SIGNIN_RATE_PER_MINUTE": "0", "VANTHU_SERVER_THREADS": "4", "VANTHU_LOG_LEVEL": "ERROR",
        "VANTHU_TASK_LEASE_SECONDS": "15",  # what the killed worker was running comes back soon
        "PYTHONWARNINGS": "ignore",
    })
    servers, workers, urls, dirs = [], [], [], []
    for n in range(3):
        port, data_dir = _free_port(), tmp_path / f"web{n}"
        dirs.append(data_dir)
        urls.append(f"http://127.0.0.1:{port}")
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "vanthu.cli", "serve", "--port", str(port), "--workers", "1", "--data-dir", str(data_dir)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp_path / f"web{n}.log").open("wb"),
            start_new_session=True))
    for n in range(2):
        data_dir = tmp_path / f"worker{n}"
        dirs.append(data_dir)
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "vanthu.cli", "worker", "--data-dir", str(data_dir)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp_path / f"worker{n}.log").open("wb"),
            start_new_session=True))
    try:
        deadline = time.monotonic() + 180
        for url, proc, n in zip(urls, servers, range(3), strict=True):
            while True:
                assert proc.poll() is None, (tmp_path / f"web{n}.log").read_text()[-3000:]
                try:
                    if requests.get(f"{url}/readyz", timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, f"{url} did not become ready"
                time.sleep(0.5)
        yield Cluster(urls, servers, workers, dirs, bucket, alive=list(urls))
    finally:
        for proc in [*servers, *workers]:
            _kill(proc, signal.SIGTERM)
        for proc in [*servers, *workers]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                _kill(proc)
                proc.wait(10)


def _sign_in_page(browser: requests.Session, base: str, username: str, password: str) -> requests.Response:
    browser.get(f"{base}/login/", timeout=30)
    return browser.post(f"{base}/login/", data={"username": username, "password": password,
                                                "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                        headers={"Referer": f"{base}/login/"}, allow_redirects=False, timeout=30)


def _token(cluster: Cluster, user) -> str:
    r = cluster.call("post", "/api/v1/auth/token", json={"username": user.username, "password": "demo"})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def test_three_servers_and_two_workers_survive_losing_one_of_each(world, cluster, moto_server, settings):
    w = world
    a_, b_, c_ = cluster.urls

    # A session made on one server is a session on every server (sessions live in the database).
    browser = requests.Session()
    r = _sign_in_page(browser, a_, w.b.clerk.username, "demo")
    assert r.status_code == 302 and r.headers["Location"] == "/", r.text[:300]
    for url in (b_, c_):
        assert browser.get(f"{url}/", allow_redirects=False, timeout=30).status_code == 200
    browser.post(f"{b_}/logout/", data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                 headers={"Referer": f"{b_}/"}, timeout=30)
    assert browser.get(f"{c_}/", allow_redirects=False, timeout=30).status_code == 302  # ended everywhere

    # Wrong passwords count towards one lockout, whichever server took them.
    victim = w.outsider.clerk
    limit = settings.VANTHU_LOCKOUT_FAILURES  # more than any one server saw (they took turns)
    for n in range(limit):
        r = requests.post(f"{cluster.urls[n % 3]}/api/v1/auth/token", json={"username": victim.username,
                                                                           "password": f"sai-{n}"}, timeout=30)
        assert r.status_code == (401 if n < limit - 1 else 403), (n, r.text)  # the last one locks
    for url in cluster.urls:
        r = requests.post(f"{url}/api/v1/auth/token", json={"username": victim.username, "password": "demo"}, timeout=30)
        assert r.status_code in (403, 429) and r.json()["error"]["code"] == "account_locked", (url, r.text)

    # The document flow, spread over the servers; one server and one worker die midway.
    spec, leader, clerk = _token(cluster, w.a.specialist), _token(cluster, w.a.leader), _token(cluster, w.a.clerk)
    uploads: dict[int, bytes] = {}
    for n in range(DOCUMENTS):
        if n == DOCUMENTS // 2:
            _kill(cluster.servers[2])
            _kill(cluster.workers[0])
            cluster.servers[2].wait(10)
            cluster.workers[0].wait(10)
        pdf = f.pdf_bytes(f"Về việc triển khai nghị quyết, văn bản số {n} của cụm máy chủ")
        r = cluster.call("post", "/api/v1/documents", token=spec, data={
            "organization_id": w.a.org.id, "doc_type": "CV", "subject": f"Về việc thử cụm máy chủ số {n}",
            "recipient_ids": [w.b.org.id, w.c.org.id]}, files={"file": ("congvan.pdf", pdf, "application/pdf")})
        assert r.status_code == 201, r.text
        doc_id = r.json()["id"]
        uploads[doc_id] = pdf
        for token, step in ((spec, "submit"), (leader, "approve"), (clerk, "issue")):
            r = cluster.call("post", f"/api/v1/documents/{doc_id}/{step}", token=token)
            assert r.status_code == 200, (step, r.text)

    # Nothing lost, nothing twice.
    docs = list(Document.objects.filter(pk__in=uploads).order_by("number"))
    assert len(docs) == DOCUMENTS and all(d.status == DocStatus.ISSUED for d in docs)
    assert [d.number for d in docs] == list(range(docs[0].number, docs[0].number + DOCUMENTS))
    pairs = list(Delivery.objects.filter(document__in=docs).values_list("document_id", "recipient_id"))
    assert len(pairs) == len(set(pairs)) == 2 * DOCUMENTS
    inbox = cluster.call("get", "/api/v1/inbox", token=_token(cluster, w.b.clerk),
                         params={"organization_id": w.b.org.id, "limit": 100}).json()
    assert sorted(i["document"]["id"] for i in inbox["items"]) == sorted(uploads)

    # Every file in the bucket, whole; none on any server's disk.
    settings.VANTHU_STORAGE = moto_server.config(cluster.bucket)
    for pdf in uploads.values():
        sha = hashlib.sha256(pdf).hexdigest()
        assert StoredFile.objects.filter(sha256=sha).exists()
        assert storage.verify_blob(sha) == len(pdf)
    assert not any((d / "files").exists() and any((d / "files").rglob("*")) for d in cluster.data_dirs)

    # The surviving worker takes the whole queue (indexing, statistics) on its own, and what the
    # killed one was running comes back to the queue once its lease is over: none left behind.
    deadline = time.monotonic() + 180
    while (DBTaskResult.objects.ready().filter(queue_name="default").exists()
           or DBTaskResult.objects.filter(queue_name="default", status="RUNNING").exists()):
        assert time.monotonic() < deadline, "the surviving worker did not drain the queue"
        time.sleep(0.5)
    assert cluster.servers[0].poll() is None and cluster.servers[1].poll() is None
    assert requests.get(f"{a_}/readyz", timeout=10).json()["status"] == "ok"
