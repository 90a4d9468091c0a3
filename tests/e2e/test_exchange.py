"""Two VanThu installations exchanging documents over loopback: real processes, real network.

Each installation has its own data dir and its own database of the engine the suite runs on
(SQLite: the data dir's; PostgreSQL: the suite's database name with `_e2e_a` / `_e2e_b`, created
here from a migrated template and dropped at the end), its own server (`vanthu serve` on a free
port) and its own worker (`vanthu worker`), started here. They become peers with `vanthu peer
add`. Everything a clerk does goes through the HTTP API; what is refused is read back from the
receiving side's database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from vanthu.documents.pdfgen import make_pdf
from vanthu.exchange.testing import create_database, drop_database, installation_database_url

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
A_ORG, B_ORG = "000.00.31.H26", "000.00.00.H26"  # the Bloc (site A) and the City Party Committee (site B)
REPLAY_WINDOW = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float = 40, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (requests.RequestException, sqlite3.Error, psycopg.Error, KeyError, IndexError):
            last = None
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@dataclass
class Site:
    name: str
    data_dir: Path
    port: int
    env: dict
    database_url: str | None = None  # None: the SQLite database in the data dir
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    tokens: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "vanthu.cli", *args, "--data-dir", str(self.data_dir)],
                              env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=check)

    def start_server(self, wait: bool = True) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "vanthu.cli", "serve", "--port", str(self.port), "--workers", "1", "--data-dir", str(self.data_dir)],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log("server"), start_new_session=True)
        if wait:
            self.wait_ready()

    def _log(self, process: str):
        """Where a process's errors go: a file in the data dir, read when a test fails."""
        return (self.data_dir.parent / f"{self.name}-{process}.log").open("ab")

    def wait_ready(self) -> None:
        wait_for(lambda: requests.get(f"{self.url}/healthz", timeout=2).ok, 60, f"{self.name} server")

    def stop_server(self) -> None:
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(20)

    def start_worker(self) -> None:
        self.worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker", "--data-dir", str(self.data_dir)],
                                       env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log("worker"))

    def kill_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(10)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = requests.post(f"{self.url}/api/v1/auth/token", json={"username": username, "password": "demo"}, timeout=30)
            r.raise_for_status()
            self.tokens[username] = r.json()["token"]
        return self.tokens[username]

    def api(self, method: str, path: str, user: str, **kw) -> dict:
        r = requests.request(method, f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {self.token(user)}"}, timeout=60, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json()

    def login(self, username: str) -> requests.cookies.RequestsCookieJar:
        """Sign in through the login page, as a person does: the session's cookies."""
        with requests.Session() as web:
            web.get(f"{self.url}/login/", timeout=30)
            r = web.post(f"{self.url}/login/", data={"username": username, "password": "demo",
                                                     "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")},
                         headers={"Referer": f"{self.url}/login/"}, timeout=30)
            assert r.ok and "sessionid" in web.cookies, r.text[:300]
            return web.cookies

    def org_id(self, code: str) -> int:
        items = self.api("GET", "/organizations", "admin", params={"q": code})["items"]
        return next(o["id"] for o in items if o["code"] == code)

    def sql(self, query: str, *params) -> list[tuple]:
        """Rows of a query (written with `?` placeholders) on this installation's own database."""
        if self.database_url:
            with psycopg.connect(self.database_url) as con:
                return con.execute(query.replace("?", "%s"), params).fetchall()
        con = sqlite3.connect(self.data_dir / "vanthu.sqlite3", timeout=30)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def site_id(self) -> str:
        return (self.data_dir / "site_id").read_text().strip()


def _env(data_dir: Path, port: int, key: str, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    if database_url:
        env["VANTHU_DATABASE_URL"] = database_url
    env.update({
        "VANTHU_DATA_DIR": str(data_dir), "VANTHU_PUBLIC_URL": f"http://127.0.0.1:{port}", "VANTHU_FAST_PASSWORD_HASHER": "1",
        "VANTHU_KEY_ENCRYPTION_KEY": key, "VANTHU_EXCHANGE_RETRY_BASE_SECONDS": "0.5", "VANTHU_EXCHANGE_RETRY_CAP_SECONDS": "2",
        "VANTHU_EXCHANGE_LEASE_SECONDS": "8", "VANTHU_EXCHANGE_TIMEOUT_SECONDS": "6",
        "VANTHU_EXCHANGE_REPLAY_WINDOW_SECONDS": str(REPLAY_WINDOW), "VANTHU_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore", "VANTHU_HTTPS": "0",  # the two sites talk plain HTTP on the loopback
    })
    return env


@contextmanager
def running_sites(tmp_path_factory) -> Iterator[tuple[Site, Site]]:
    """The two installations, running and peers of each other; the `sites` fixture (conftest.py)
    makes them once for the package: this module's tests and test_party_transfer.py's use them."""
    base = tmp_path_factory.mktemp("exchange")
    configured = os.environ.get("VANTHU_DATABASE_URL")
    urls = {k: installation_database_url(configured, f"e2e_{k}") for k in ("a", "b", "t")}
    a = Site("bloc", base / "A", free_port(), {}, urls["a"])
    b = Site("city", base / "B", free_port(), {}, urls["b"])
    a.env, b.env = _env(a.data_dir, a.port, "key-a", a.database_url), _env(b.data_dir, b.port, "key-b", b.database_url)
    try:
        # Migrate once and copy the database: the machine is small and migrating is most of the setup.
        template = base / "template"
        if urls["t"]:
            create_database(urls["t"])
        subprocess.run([sys.executable, "-m", "vanthu.cli", "manage", "migrate", "-v", "0"], env=_env(template, 1, "t", urls["t"]),
                       cwd=ROOT, check=True)
        for s in (a, b):
            s.data_dir.mkdir()
            if s.database_url:
                create_database(s.database_url, template=urls["t"])
                continue
            for name in ("vanthu.sqlite3", "vanthu.sqlite3-wal"):
                if (template / name).exists():
                    shutil.copy(template / name, s.data_dir / name)
        if urls["t"]:
            drop_database(urls["t"])
        seeds = [subprocess.Popen([sys.executable, "-m", "vanthu.exchange.testing", s.name, "--data-dir", str(s.data_dir)],
                                  env=s.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in (a, b)]
        for p in seeds:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err[-3000:]
        for s in (a, b):
            s.start_server(wait=False)
            s.start_worker()
        for s in (a, b):
            s.wait_ready()
        adds = [subprocess.Popen([sys.executable, "-m", "vanthu.cli", "peer", "add", other.url, "--trust-roots", "--data-dir", str(s.data_dir)],
                                 env=s.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s, other in ((a, b), (b, a))]
        for p in adds:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err[-2000:]
        yield a, b
    finally:
        for s in (a, b):
            s.kill_worker()
            s.stop_server()
        for url in urls.values():
            if url:
                drop_database(url)


def test_each_installation_runs_on_the_engine_the_suite_runs_on(sites):
    a, b = sites
    engine = "postgresql" if os.environ.get("VANTHU_DATABASE_URL", "").startswith("postgres") else "sqlite"
    for s in (a, b):
        assert requests.get(f"{s.url}/healthz", timeout=10).json()["database"] == engine
    if engine == "postgresql":  # one database each, not shared
        assert a.database_url != b.database_url
        assert a.sql("SELECT current_database()") != b.sql("SELECT current_database()")


PDF = make_pdf([["Về việc triển khai chuyển đổi số trong các tổ chức đảng"]])


def issue(a: Site, subject: str) -> int:
    """A's specialist drafts to the City Party Committee, the leader approves, the clerk issues."""
    to = a.org_id(B_ORG)
    # The drafter chooses who signs: the Bloc's secretary, among its signatories.
    leader = a.api("GET", "/me", "bt.dukhoi")["id"]
    signatory = next(s["id"] for s in a.api("GET", "/signatories", "cv1.dukhoi", params={"organization_id": a.org_id(A_ORG)})["items"]
                     if s["user_id"] == leader)
    doc = a.api("POST", "/documents", "cv1.dukhoi", data={"organization_id": a.org_id(A_ORG), "doc_type": "CV", "subject": subject,
                                                           "recipient_ids": [to], "signatory_id": signatory},
                files={"file": ("congvan.pdf", PDF, "application/pdf")})
    a.api("POST", f"/documents/{doc['id']}/submit", "cv1.dukhoi")
    a.api("POST", f"/documents/{doc['id']}/approve", "bt.dukhoi")
    a.api("POST", f"/documents/{doc['id']}/issue", "vt.dukhoi")
    return doc["id"]


def b_inbox(b: Site) -> list[dict]:
    return b.api("GET", "/inbox", "vt.thanhuy", params={"organization_id": b.org_id(B_ORG), "limit": 200})["items"]


def arrived(b: Site, subject: str) -> list[dict]:
    return [i for i in b_inbox(b) if i["document"]["subject"] == subject]


def exchange_row(a: Site, doc_id: int) -> dict:
    return a.api("GET", f"/documents/{doc_id}/exchange", "vt.dukhoi")["items"][0]


def test_peer_organisations_appear_with_their_codes(sites):
    a, b = sites
    codes = {o["code"]: o for o in a.api("GET", "/organizations", "cv1.dukhoi", params={"q": "Thành ủy"})["items"]}
    assert B_ORG in codes and "000.01.00.H26" in codes
    assert A_ORG in {o["code"] for o in b.api("GET", "/organizations", "vt.thanhuy", params={"limit": 500})["items"]}


def test_document_travels_and_statuses_01_to_06_come_back(sites):
    a, b = sites
    subject = f"Về việc báo cáo chuyển đổi số {uuid.uuid4().hex[:6]}"
    doc_id = issue(a, subject)
    item = wait_for(lambda: arrived(b, subject), what="arrival at B")[0]
    assert item["status_code"] == "01" and item["source"] == "electronic"
    assert item["document"]["symbol"].endswith("-CV/ĐUK")
    wait_for(lambda: exchange_row(a, doc_id)["transport"] == "sent", what="acknowledgement")
    assert exchange_row(a, doc_id)["status_code"] == "01"  # 01 once B acknowledged, not before
    # The sealed PDF was verified on arrival against the peer's roots (trusted by --trust-roots).
    sig = b.api("GET", f"/documents/{item['document']['id']}/signatures", "vt.thanhuy")
    assert sig["status"] == "valid" and sig["authenticated"], sig

    did = item["id"]
    b.api("POST", f"/inbox/{did}/accept", "vt.thanhuy")
    handler = next(m for m in b.api("GET", f"/organizations/{b.org_id(B_ORG)}/members", "bt.thanhuy")["items"] if m["username"] == "cv1.thanhuy")
    b.api("POST", f"/incoming/{did}/assign", "bt.thanhuy", json={"main_handler_id": handler["user_id"] if "user_id" in handler else handler["id"]})
    b.api("POST", f"/incoming/{did}/start", "cv1.thanhuy", json={})
    b.api("POST", f"/incoming/{did}/complete", "cv1.thanhuy", json={"note": "Đã báo cáo"})

    wait_for(lambda: exchange_row(a, doc_id)["status_code"] == "06", what="status 06 at A")
    history = a.api("GET", f"/documents/{doc_id}/deliveries", "vt.dukhoi")["items"][0]["history"]
    assert [h["status_code"] for h in history] == ["00", "01", "03", "04", "05", "06"]
    # One record at B, one message per status at A, every one acknowledged.
    assert len(arrived(b, subject)) == 1
    states = a.sql("SELECT state FROM exchange_outboxmessage m JOIN documents_delivery d ON d.id = m.delivery_id WHERE d.document_id = ?", doc_id)
    assert states == [("sent",)]
    assert b.sql("SELECT status_code, state FROM exchange_outboxmessage WHERE delivery_id = ? ORDER BY id", did) == [
        ("03", "sent"), ("04", "sent"), ("05", "sent"), ("06", "sent")]


def test_peer_down_then_back_each_package_exactly_once(sites):
    a, b = sites
    b.stop_server()
    try:
        subjects = [f"Về việc gửi khi mất kết nối {i} {uuid.uuid4().hex[:6]}" for i in range(3)]
        doc_ids = [issue(a, s) for s in subjects]
        wait_for(lambda: all(exchange_row(a, d)["attempts"] >= 1 for d in doc_ids), what="failed attempts while B is down")
        assert {exchange_row(a, d)["transport"] for d in doc_ids} == {"pending"}
        # The sender does not claim arrival while nobody acknowledged it: 00, in words on its page.
        assert {exchange_row(a, d)["status_code"] for d in doc_ids} == {"00"}
        page = requests.get(f"{a.url}/documents/{doc_ids[0]}/", cookies=a.login("vt.dukhoi"), timeout=30).text
        assert 'data-status="00"' in page and "Đang gửi, chờ bên nhận xác nhận" in page
    finally:
        b.start_server()
    for s in subjects:
        wait_for(lambda s=s: arrived(b, s), 60, what="arrival after B came back")
    # Once A holds an acknowledgement for every package it has nothing left to send, so any
    # duplicate would already be at B.
    wait_for(lambda: {exchange_row(a, d)["transport"] for d in doc_ids} == {"sent"}, 60, what="acknowledgements")
    assert [len(arrived(b, s)) for s in subjects] == [1, 1, 1]
    assert {exchange_row(a, d)["status_code"] for d in doc_ids} == {"01"}
    history = a.api("GET", f"/documents/{doc_ids[0]}/deliveries", "vt.dukhoi")["items"][0]["history"]
    assert [h["status_code"] for h in history] == ["00", "01"]


def test_worker_killed_mid_sending_loses_and_duplicates_nothing(sites):
    a, b = sites
    subjects = [f"Về việc gửi khi worker bị dừng {i} {uuid.uuid4().hex[:6]}" for i in range(5)]
    doc_ids = []
    for i, s in enumerate(subjects):
        doc_ids.append(issue(a, s))
        if i == 2:
            a.kill_worker()  # SIGKILL while the first packages are being built, signed and posted
    a.start_worker()
    for s in subjects:
        wait_for(lambda s=s: arrived(b, s), 60, what="arrival after the worker restarted")
    # A re-sends what the killed worker had not recorded as acknowledged; once every package is,
    # nothing is left to send, and any duplicate would already be at B.
    wait_for(lambda: {exchange_row(a, d)["transport"] for d in doc_ids} == {"sent"}, 60, what="acknowledgements")
    assert [len(arrived(b, s)) for s in subjects] == [1] * 5
    # Each sender row arrived once: one 01, whatever was re-sent after the kill.
    for d in doc_ids:
        history = [h["status_code"] for h in a.api("GET", f"/documents/{d}/deliveries", "vt.dukhoi")["items"][0]["history"]]
        assert history == ["00", "01"], history


@pytest.fixture(scope="module")
def exported(sites, tmp_path_factory) -> tuple[bytes, float, str]:
    """A package of a delivered document, written with `vanthu edxml export` (and its time)."""
    a, b = sites
    subject = f"Về việc xuất gói tin {uuid.uuid4().hex[:6]}"
    doc_id = issue(a, subject)
    wait_for(lambda: arrived(b, subject), what="arrival")
    path = tmp_path_factory.mktemp("usb") / "goitin.edxml"
    r = a.run("edxml", "export", str(doc_id), str(path))
    assert r.returncode == 0, r.stderr
    return path.read_bytes(), time.monotonic(), subject


def post(b: Site, body: bytes, site_id: str, *, mac: bool = True, **kw) -> requests.Response:
    """As the installation `site_id` posts to B: with the MAC of the body under the key B holds
    for it (vanthu/exchange/peerauth.py), so that what B then says is about the body itself."""
    headers = {"X-VanThu-Site": site_id, "Content-Type": "application/xml"}
    key = b.sql("SELECT inbound_secret FROM exchange_peer WHERE site_id = ?", site_id)
    if mac and key:
        signed = b"vanthu-exchange-1\n%s\n%s\n" % (site_id.encode(), b.site_id().encode()) + body
        headers["X-VanThu-MAC"] = "hmac-sha256=" + hmac.new(key[0][0].encode(), signed, hashlib.sha256).hexdigest()
    return requests.post(f"{b.url}/exchange/inbox", data=body, headers=headers, timeout=30, **kw)


def counts(b: Site) -> tuple[int, int]:
    return b.sql("SELECT COUNT(*) FROM documents_document")[0][0], b.sql("SELECT COUNT(*) FROM exchange_refusal")[0][0]


def staged(b: Site, staged_id: int) -> tuple[str, str, str]:
    """(state, code, stored body's hash) of a package B's door staged, once B's worker decided."""
    return wait_for(lambda: next(iter(r for r in b.sql("SELECT state, code, body_sha256 FROM exchange_stagedpackage WHERE id = ?", staged_id)
                                      if r[0] != "staged"), None), 60, what="B's worker to check the staged package")


def stored(b: Site, sha256: str) -> bool:
    return (b.data_dir / "files" / sha256[:2] / sha256[2:4] / sha256).exists()


def test_same_package_twice_makes_one_record(sites, exported):
    a, b = sites
    body, _at, subject = exported
    for _ in range(2):
        r = post(b, body, a.site_id())
        assert r.status_code == 200 and r.json()["status"] == "staged", r.text  # acknowledged …
        assert staged(b, r.json()["staged_id"])[0] == "duplicate"  # … and found already received
    path = b.data_dir.parent / "again.edxml"
    path.write_bytes(body)
    r = b.run("edxml", "import", str(path), check=False)
    assert json.loads(r.stdout.strip().splitlines()[-1])["status"] == "duplicate"
    assert len(arrived(b, subject)) == 1


def _refused(b: Site, body: bytes, site_id: str, status: int, code: str) -> None:
    """Refused at the door (`status`: what is checked before the acknowledgement), or, when
    `status` is None, acknowledged there and refused by B's worker, its bytes not kept."""
    docs, refusals = counts(b)
    r = post(b, body, site_id)
    if status is None:
        assert r.status_code == 200 and r.json()["status"] == "staged", r.text
        state, refused_for, sha = staged(b, r.json()["staged_id"])
        assert (state, refused_for) == ("refused", code)
        # The refusal is committed first, then the bytes are let go (a failed delete is retried).
        wait_for(lambda: not stored(b, sha), 30, what="B to delete the refused package's bytes")
    else:
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code
    assert counts(b) == (docs, refusals + 1)  # logged, nothing created
    assert b.sql("SELECT code FROM exchange_refusal ORDER BY id DESC LIMIT 1") == [(code,)]


def test_changed_byte_is_refused(sites, exported):
    a, b = sites
    body = exported[0]
    i = body.index(b"<edXML:Subject>") + len(b"<edXML:Subject>")
    _refused(b, body[:i] + b"X" + body[i + 1:], a.site_id(), None, "bad_signature")
    j = body.index(b"<edXML:ContentTransferEncoded>") + 200
    flipped = body[:j] + (b"A" if body[j:j + 1] != b"A" else b"B") + body[j + 1:]
    _refused(b, flipped, a.site_id(), None, "attachment_digest_mismatch")


def test_unknown_key_and_unknown_peer_are_refused(sites):
    a, b = sites
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from vanthu.exchange import edxml

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đảng ủy Khối (giả mạo)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    pkg = edxml.Package(
        message_id=edxml.new_message_id(), sender=edxml.Party(A_ORG, "Đảng ủy Khối"), recipient=edxml.Party(B_ORG, "Thành ủy"),
        code_number="999", code_notation="CV/ĐUK", issued_date=dt.date.today(), place="Hà Nội", type_code="CV", type_name="Công văn",
        subject="Văn bản giả mạo", signer_authority="", signer_position="", signer_name="", due_date=None, priority=0, page_count=1,
        timestamp=now, files=[edxml.FilePart("a.pdf", PDF)],
    )
    forged = edxml.sign(edxml.build_package(pkg), key, cert)
    _refused(b, forged, a.site_id(), None, "bad_signature")
    _refused(b, forged, uuid.uuid4().hex, 403, "unknown_peer")


def test_replayed_old_package_is_refused(sites, exported):
    a, b = sites
    body, at, _subject = exported
    time.sleep(max(0.0, REPLAY_WINDOW + 1 - (time.monotonic() - at)))
    _refused(b, body, a.site_id(), None, "stale_message")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol4;</edXML:edXML>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:Subject>&xxe;</edXML:Subject></edXML:edXML>"""


@pytest.mark.parametrize("body,code", [(BOMB, "dtd_forbidden"), (XXE, "dtd_forbidden"),
                                        (b"<edXML:edXML xmlns:edXML='http://www.mic.gov.vn/TBT/QCVN_102_2016'>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</edXML:edXML>", "too_deep")],
                         ids=["xml_bomb", "external_entity", "deep_nesting"])
def test_hostile_xml_is_refused_quickly(sites, body, code):
    # Refused by B's worker before it is expanded, fetched or walked: the code says which guard
    # stopped it. No clock: on a shared runner a time limit tests the runner; a parser that
    # expanded or walked the body would give another code (or never finish).
    a, b = sites
    _refused(b, body, a.site_id(), None, code)


def test_a_body_without_the_peers_mac_is_refused_unparsed(sites, exported):
    """Knowing A's public site id is not enough: without the MAC under the key A and B derived
    at `peer add`, B answers 403 before parsing anything, the 2.3 MB attribute bomb included
    (which, parsed, held a server thread for minutes)."""
    a, b = sites
    bomb = ('<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:e '
            + " ".join(f'a{i}="x"' for i in range(200_000)) + "/></edXML:edXML>").encode()
    for body in (bomb, exported[0]):
        docs, refusals = counts(b)
        r = post(b, body, a.site_id(), mac=False)
        assert r.status_code == 403 and r.json()["error"]["code"] == "bad_mac", r.text[:300]
        assert counts(b) == (docs, refusals + 1)
    # With the MAC, it is acknowledged, and the parser's limits stop it in B's worker.
    _refused(b, bomb, a.site_id(), None, "too_many_attributes")


def test_500_mb_body_is_refused_without_reading_it(sites):
    """Streamed, never allocated: the server answers 413 after the headers and stops reading."""
    a, b = sites
    docs_before, refusals_before = counts(b)
    size = 500 * 1024 * 1024
    limit = 100 * 1024 * 1024  # a server that reads on past this has read what it should refuse
    chunk = b"<" * (1024 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", b.port), timeout=10) as s:
        s.sendall((f"POST /exchange/inbox HTTP/1.1\r\nHost: 127.0.0.1\r\nX-VanThu-Site: {a.site_id()}\r\n"
                   f"Content-Type: application/xml\r\nContent-Length: {size}\r\n\r\n").encode())
        s.settimeout(0.5)
        answer = b""
        try:
            while sent <= limit and not answer:
                s.sendall(chunk)
                sent += len(chunk)
                try:
                    answer = s.recv(4096)
                except TimeoutError:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not answer:
            s.settimeout(5)
            try:
                answer = s.recv(4096)
            except (TimeoutError, ConnectionResetError):
                answer = b""
    assert answer.startswith(b"HTTP/1.1 413") or answer.startswith(b"HTTP/1.0 413"), answer[:200]
    assert sent < limit, f"the client got to send {sent >> 20} MB"
    # The server's body guard (vanthu/web/server.py, VANTHU_MAX_REQUEST_MB) refuses it before the
    # exchange sees a byte; a body under that but over the exchange's cap is the exchange's refusal, logged.
    docs, refusals = counts(b)
    assert docs == docs_before
    assert refusals == refusals_before or b.sql("SELECT code FROM exchange_refusal ORDER BY id DESC LIMIT 1") == [("package_too_large",)]


def test_recall_agreed_and_refused(sites):
    a, b = sites
    subjects = [f"Về việc thu hồi {k} {uuid.uuid4().hex[:6]}" for k in ("đồng ý", "từ chối")]
    doc_ids = [issue(a, s) for s in subjects]
    items = [wait_for(lambda s=s: arrived(b, s), what="arrival")[0] for s in subjects]
    for d in doc_ids:
        wait_for(lambda d=d: exchange_row(a, d)["status_code"] == "01", what="acknowledgement at A")
        a.api("POST", f"/documents/{d}/recall", "vt.dukhoi", json={"reason": "Văn bản ban hành nhầm, đề nghị thu hồi"})
        assert exchange_row(a, d)["status_code"] == "13"
    for item in items:
        wait_for(lambda item=item: [i for i in b_inbox(b) if i["id"] == item["id"]][0]["status_code"] == "13", what="13 at B")
    agreed = b.api("POST", f"/deliveries/{items[0]['id']}/recall-answer", "vt.thanhuy", json={"agree": True, "note": "Đồng ý"})
    refused = b.api("POST", f"/deliveries/{items[1]['id']}/recall-answer", "vt.thanhuy", json={"agree": False, "note": "Đã triển khai"})
    assert agreed["items"][0]["requests"][0]["answer"] == "15"
    assert refused["items"][0]["requests"][0]["answer"] == "16" and refused["items"][0]["status_code"] == "01"
    row = wait_for(lambda: exchange_row(a, doc_ids[0])["requests"][0]["answer"] == "15" and exchange_row(a, doc_ids[0]), what="15 at A")
    assert row["status_code"] == "15"
    row = wait_for(lambda: exchange_row(a, doc_ids[1])["requests"][0]["answer"] == "16" and exchange_row(a, doc_ids[1]), what="16 at A")
    assert row["status_code"] == "01" and row["requests"][0]["answer_note"] == "Đã triển khai"
    history = [h["status_code"] for h in a.api("GET", f"/documents/{doc_ids[1]}/deliveries", "vt.dukhoi")["items"][0]["history"]]
    assert history == ["00", "01", "13", "16"]
    assert b.sql("SELECT status FROM documents_document WHERE id = ?", items[0]["document"]["id"]) == [("revoked",)]


def _authoritative_name(b: Site, document_id: int) -> str:
    """The file that counts (Document.authoritative): the signed version if set, else the main file."""
    return b.sql("SELECT COALESCE((SELECT name FROM documents_documentfile WHERE id = d.authoritative_file_id), "
                 "(SELECT name FROM documents_documentfile WHERE document_id = d.id AND role = 'main' ORDER BY position LIMIT 1)) "
                 "FROM documents_document d WHERE d.id = ?", document_id)[0][0]


def test_update_agreed_and_replacement_refused(sites):
    """Business types 2 and 3 between the two servers: new files travel, the recipient answers,
    and both sides show the request, the answer and the file that counts."""
    a, b = sites
    subjects = [f"Về việc cập nhật văn bản {k} {uuid.uuid4().hex[:6]}" for k in ("cập nhật", "thay thế")]
    doc_ids = [issue(a, s) for s in subjects]
    items = [wait_for(lambda s=s: arrived(b, s), what="arrival")[0] for s in subjects]
    originals = [_authoritative_name(b, i["document"]["id"]) for i in items]
    for d in doc_ids:
        wait_for(lambda d=d: exchange_row(a, d)["status_code"] == "01", what="acknowledgement at A")
    new_files = [make_pdf([["Văn bản đã sửa lỗi chính tả"]]), make_pdf([["Văn bản thay thế"]])]
    for d, (btype, name), data in zip(doc_ids, ((2, "congvan-capnhat.pdf"), (3, "congvan-thaythe.pdf")), new_files, strict=True):
        rows = a.api("POST", f"/documents/{d}/update", "vt.dukhoi", data={"reason": "Sửa lỗi chính tả ở trang 1", "business_type": btype},
                     files={"file": (name, data, "application/pdf")})["items"]
        assert rows[0]["status_code"] == "13" and rows[0]["requests"][0]["business_type"] == btype
    # B's clerk sees the request, with the new file beside the original.
    for item in items:
        wait_for(lambda item=item: [i for i in b_inbox(b) if i["id"] == item["id"]][0]["status_code"] == "13", what="13 at B")
    assert {n for (n,) in b.sql("SELECT name FROM documents_documentfile WHERE document_id = ?", items[0]["document"]["id"])} >= {
        originals[0], "congvan-capnhat.pdf"}
    agreed = b.api("POST", f"/deliveries/{items[0]['id']}/recall-answer", "vt.thanhuy", json={"agree": True, "note": "Đồng ý cập nhật"})
    refused = b.api("POST", f"/deliveries/{items[1]['id']}/recall-answer", "vt.thanhuy", json={"agree": False, "note": "Đã triển khai bản cũ"})
    assert agreed["items"][0]["requests"][0]["answer"] == "15" and agreed["items"][0]["status_code"] == "15"
    assert refused["items"][0]["requests"][0]["answer"] == "16" and refused["items"][0]["status_code"] == "01"
    # B: the update counts from now on; the refused replacement leaves the original in force.
    assert _authoritative_name(b, items[0]["document"]["id"]) == "congvan-capnhat.pdf"
    assert _authoritative_name(b, items[1]["document"]["id"]) == originals[1]
    assert b.sql("SELECT status FROM documents_document WHERE id = ?", items[0]["document"]["id"]) == [("external",)]
    # A: the answers came back over the network, with the note.
    row = wait_for(lambda: exchange_row(a, doc_ids[0])["requests"][0]["answer"] == "15" and exchange_row(a, doc_ids[0]), what="15 at A")
    assert row["status_code"] == "15" and row["requests"][0]["business_type"] == 2
    row = wait_for(lambda: exchange_row(a, doc_ids[1])["requests"][0]["answer"] == "16" and exchange_row(a, doc_ids[1]), what="16 at A")
    assert row["status_code"] == "01" and row["requests"][0]["business_type"] == 3 and row["requests"][0]["answer_note"] == "Đã triển khai bản cũ"
    for d, last in zip(doc_ids, ("15", "16"), strict=True):
        history = [h["status_code"] for h in a.api("GET", f"/documents/{d}/deliveries", "vt.dukhoi")["items"][0]["history"]]
        assert history == ["00", "01", "13", last]
    # Every message of both documents was acknowledged, once.
    assert a.sql("SELECT m.business_type, m.state FROM exchange_outboxmessage m JOIN documents_delivery d ON d.id = m.delivery_id "
                 "WHERE d.document_id IN (?, ?) AND m.kind = 'package' ORDER BY m.id", *doc_ids) == [
        (0, "sent"), (0, "sent"), (2, "sent"), (3, "sent")]


# Run in site A's environment: packages from A to B, each with one SecurityLevel, signed with A's
# organisation key as A's outbox signs, so that only the marking can be the reason for a refusal.
SIGN_MARKED = r"""
import datetime as dt, os, re, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
import django
django.setup()
from lxml import etree
from vanthu.documents.pdfgen import make_pdf
from vanthu.exchange import edxml
from vanthu.exchange.site import signing_material
from vanthu.organizations.models import Organization
out, sender, recipient, tag, *markings = sys.argv[1:]
org = Organization.objects.get(code=sender)
key, cert = signing_material(org)
# FIRST_SYMBOL, FIRST_DATE: the first package names a real document of A's (its symbol, its date).
first = list(re.match(r"^(\d+)[-/](.+)$", os.environ["FIRST_SYMBOL"]).groups()) if os.environ.get("FIRST_SYMBOL") else []
for i, marking in enumerate(markings):
    number, notation = first if i == 0 and len(first) == 2 else (str(900 + i), "CV/ĐUK")
    issued = dt.date.fromisoformat(os.environ["FIRST_DATE"]) if i == 0 and os.environ.get("FIRST_DATE") else dt.date.today()
    pkg = edxml.Package(
        message_id=edxml.new_message_id(), sender=edxml.Party(org.code, org.name), recipient=edxml.Party(recipient, ""),
        code_number=number, code_notation=notation, issued_date=issued, place="Hà Nội", type_code="CV",
        type_name="Công văn", subject=f"Về việc độ mật {tag} {i}", signer_authority="", signer_position="", signer_name="",
        due_date=None, priority=0, page_count=1, timestamp=dt.datetime.now(dt.UTC),
        files=[edxml.FilePart("congvan.pdf", make_pdf([["Về việc triển khai công tác năm 2026"]]))])
    root = edxml.build_package(pkg)
    other = root.find("/".join(f"{{{edxml.NS}}}{n}" for n in ("edXMLEnvelope", "edXMLHeader", "MessageHeader", "OtherInfo")))
    etree.SubElement(other, f"{{{edxml.NS}}}SecurityLevel").text = marking
    with open(os.path.join(out, f"{i}.edxml"), "wb") as fh:
        fh.write(edxml.sign(root, key, cert))
"""


def test_classified_packages_are_refused_over_http_and_by_edxml_import(sites, tmp_path):
    """Invariant 5 between two installations: A's validly signed packages marked decomposed
    "MẬT", "Tuyệt mật", "4" or "Confidential" are refused by B (acknowledged at the door,
    refused by its worker: logged, nothing created, the bytes not kept) and by `vanthu edxml
    import` at B; the one marked "Thường" enters and keeps it."""
    a, b = sites
    tag = uuid.uuid4().hex[:6]
    markings = [unicodedata.normalize("NFD", m) for m in ("MẬT", "Tuyệt mật", "4", "Confidential", "Thường")]
    subprocess.run([sys.executable, "-c", SIGN_MARKED, str(tmp_path), A_ORG, B_ORG, tag, *markings],
                   env=a.env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    paths = [tmp_path / f"{i}.edxml" for i in range(len(markings))]
    for path in paths[:-1]:  # over HTTP first: each is fresh for REPLAY_WINDOW seconds only
        _refused(b, path.read_bytes(), a.site_id(), None, "classified_document")
    r = post(b, paths[-1].read_bytes(), a.site_id())
    assert r.status_code == 200 and r.json()["status"] == "staged", r.text
    assert staged(b, r.json()["staged_id"])[0] == "accepted"
    assert b.sql("SELECT confidentiality FROM documents_document WHERE subject = ?", f"Về việc độ mật {tag} 4") == [("thuong",)]
    for path in paths[:-1]:
        docs, refusals = counts(b)
        done = b.run("edxml", "import", str(path), check=False)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        assert done.returncode == 1 and answer["error"]["code"] == "classified_document", done.stdout + done.stderr[-2000:]
        assert "kênh cơ yếu" in answer["error"]["message"]
        assert counts(b) == (docs, refusals + 1)


def test_a_classified_package_refused_by_the_worker_comes_back_to_the_sender_as_02(sites, tmp_path):
    """The sender hears of a refusal made after the acknowledgement: a package naming a real
    document of A's (A's own package held back, its worker stopped), marked "MẬT", is refused by
    B's worker, and B's status 02 moves A's delivery to rejected, with the reason."""
    a, b = sites
    a.kill_worker()
    try:
        doc_id = issue(a, f"Về việc gói tin bị từ chối sau xác nhận {uuid.uuid4().hex[:6]}")
        doc = a.api("GET", f"/documents/{doc_id}", "vt.dukhoi")
        env = {**a.env, "FIRST_SYMBOL": doc["symbol"], "FIRST_DATE": doc["issued_date"]}
        subprocess.run([sys.executable, "-c", SIGN_MARKED, str(tmp_path), A_ORG, B_ORG, "x", unicodedata.normalize("NFD", "MẬT")],
                       env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
        _refused(b, (tmp_path / "0.edxml").read_bytes(), a.site_id(), None, "classified_document")
        rows = wait_for(lambda: [r for r in a.sql("SELECT status_code, reject_reason FROM documents_delivery WHERE document_id = ?", doc_id)
                                 if r[0] == "02"], 60, what="B's 02 at A")
        assert "kênh cơ yếu" in rows[0][1], rows
    finally:
        a.start_worker()


def test_a_task_directed_to_an_organisation_at_the_other_installation_follows_its_document(sites):
    """The City Party Committee (B) directs a task to the Bloc (A), with the document that carries
    it; the Bloc handles the document as any other, and B's task follows the status codes back."""
    a, b = sites
    subject = f"Về việc sơ kết chuyển đổi số {uuid.uuid4().hex[:6]}"
    city, bloc_there = b.org_id(B_ORG), b.org_id(A_ORG)
    secretary = b.api("GET", "/me", "bt.thanhuy")["id"]
    signatory = next(s["id"] for s in b.api("GET", "/signatories", "cv1.thanhuy", params={"organization_id": city})["items"]
                     if s["user_id"] == secretary)
    doc = b.api("POST", "/documents", "cv1.thanhuy", data={"organization_id": city, "doc_type": "CV", "subject": subject,
                                                            "recipient_ids": [bloc_there], "signatory_id": signatory},
                files={"file": ("congvan.pdf", PDF, "application/pdf")})
    b.api("POST", f"/documents/{doc['id']}/submit", "cv1.thanhuy")
    b.api("POST", f"/documents/{doc['id']}/approve", "bt.thanhuy")
    b.api("POST", f"/documents/{doc['id']}/issue", "vt.thanhuy")
    directive = b.api("POST", "/directives", "bt.thanhuy", json={
        "title": f"Kết luận của Ban Thường vụ Thành ủy: {subject}", "organization_id": city, "source_document_id": doc["id"],
        "tasks": [{"organization_id": bloc_there, "content": "Sơ kết và báo cáo Thành ủy", "working_days": 10}]})
    task_id = directive["tasks"][0]["id"]
    assert directive["tasks"][0]["state"] == "assigned"

    item = wait_for(lambda: [i for i in a.api("GET", "/inbox", "vt.dukhoi", params={"organization_id": a.org_id(A_ORG), "limit": 200})["items"]
                             if i["document"]["subject"] == subject], what="arrival at the Bloc")[0]
    did = item["id"]
    a.api("POST", f"/inbox/{did}/accept", "vt.dukhoi")
    wait_for(lambda: b.api("GET", f"/tasks/{task_id}", "bt.thanhuy")["state"] == "in_progress", what="the task accepted at B")
    handler = next(m for m in a.api("GET", f"/organizations/{a.org_id(A_ORG)}/members", "bt.dukhoi")["items"] if m["username"] == "cv1.dukhoi")
    a.api("POST", f"/incoming/{did}/assign", "bt.dukhoi", json={"main_handler_id": handler["user_id"] if "user_id" in handler else handler["id"]})
    a.api("POST", f"/incoming/{did}/start", "cv1.dukhoi", json={})
    a.api("POST", f"/incoming/{did}/complete", "cv1.dukhoi", json={"note": "Đã sơ kết, báo cáo gửi Thành ủy"})
    task = wait_for(lambda: (t := b.api("GET", f"/tasks/{task_id}", "bt.thanhuy"))["state"] == "reported_done" and t,
                    what="the completion reported at B")
    assert task["progress"] == 100 and task["reports"][-1]["author_name"] == "qua liên thông"
    done = b.api("POST", f"/tasks/{task_id}/confirm", "bt.thanhuy", json={"note": "Đã nhận báo cáo."})
    assert done["state"] == "done"
