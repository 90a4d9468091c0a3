"""Slow and oversized requests against the real server (`vanthu serve`: gunicorn, its worker and
the body guard of vanthu/web/server.py), over raw sockets on a loopback port.

The server runs with one process of two threads and short limits (head in 2 s, body in 3 s,
2 MB at most), so that a handful of slow clients would hold every thread if they could. Bodies
up to 1 MiB are read by the worker's event loop, larger ones by a thread: both are exercised.

Nothing here is a speed limit: a server that kept a slow client would never close its socket,
and the client's own timeout (DROPPED_WITHIN, far past the server's deadlines) fails the test; a
server whose threads slow clients held would answer others only after dropping some of them.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
HEADER_TIMEOUT, BODY_TIMEOUT, MAX_MB, THREADS = 2, 3, 2, 2
# How long a client waits for the server to answer or drop it: the deadlines (checked about once
# a second) with room for a loaded machine. A server that does not drop slow clients misses it.
DROPPED_WITHIN = HEADER_TIMEOUT + BODY_TIMEOUT + 10

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}  # SQLite in its own data dir
    env.update({
        "VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_LOG_LEVEL": "ERROR", "VANTHU_SERVER_THREADS": str(THREADS),
        "VANTHU_REQUEST_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "VANTHU_REQUEST_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "VANTHU_MAX_REQUEST_MB": str(MAX_MB), "PYTHONWARNINGS": "ignore", "VANTHU_HTTPS": "0",
    })
    data_dir = tmp_path_factory.mktemp("served")
    proc = subprocess.Popen(
        [sys.executable, "-m", "vanthu.cli", "serve", "--port", str(port), "--workers", "1", "--data-dir", str(data_dir)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, "the server exited on start"
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(DROPPED_WITHIN)
    return s


def _until_closed(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (DROPPED_WITHIN: a timeout fails the test)."""
    out = b""
    while True:
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            return out
        if not data:
            return out
        out += data


def _response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _s, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _healthz(port: int) -> None:
    r = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=DROPPED_WITHIN)
    assert r.status_code == 200 and r.json()["status"] == "ok"


def _dropped(sockets: list[socket.socket]) -> list[socket.socket]:
    """Those the server has answered or closed (readable without blocking)."""
    return select.select(sockets, [], [], 0)[0]


def test_slow_clients_neither_block_others_nor_stay_connected(server):
    port = server
    stop = threading.Event()
    # More slow clients than the server has threads, of every kind: a head that stops half-way,
    # a head dripped a byte at a time, a body that stops half-way, a body dripped.
    stalled_heads = [_connect(port) for _ in range(4)]
    for s in stalled_heads:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl")
    stalled_bodies = [_connect(port) for _ in range(3)]
    for s in stalled_bodies:
        s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 200\r\n\r\n{\"username\": ")
    drippers = [_connect(port) for _ in range(3)]
    dripped = {b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 500,
               b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n" + b" " * 500}

    started = [threading.Event() for _ in drippers]

    def drip(s: socket.socket, payload: bytes, first: threading.Event) -> None:
        for i in range(len(payload)):
            if stop.is_set():
                return
            try:
                s.send(payload[i:i + 1])
            except OSError:
                return  # dropped by the server
            first.set()
            time.sleep(0.2)

    payloads = sorted(dripped)
    threads = [threading.Thread(target=drip, args=(s, payloads[i % 2], started[i]), daemon=True)
               for i, s in enumerate(drippers)]
    for t in threads:
        t.start()
    slow = stalled_heads + stalled_bodies + drippers
    try:
        assert all(e.wait(DROPPED_WITHIN) for e in started), "a dripper could not send"
        # Others still get answers while every slow client is connected: had the slow ones held
        # the server's threads, it could answer only once it had dropped some of them.
        for _ in range(5):
            _healthz(port)
        assert not _dropped(slow), "the server answered others only after dropping slow clients"
        # And the server drops every slow connection, answering 408 where it can.
        for s in slow:
            raw = _until_closed(s)
            assert raw == b"" or _response(raw)[0] == 408, raw[:200]
    finally:
        stop.set()
        for s in slow:
            s.close()
    _healthz(port)


def test_a_large_body_that_stalls_is_cut_off_with_408(server):
    port = server
    s = _connect(port)
    size = int(1.5 * 1024 * 1024)  # past what the event loop buffers: a thread reads it
    s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % size + b" " * (size // 2))
    raw = _until_closed(s)
    s.close()
    status, headers, body = _response(raw)
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "request_timeout"
    _healthz(port)


def test_a_dripped_chunked_body_is_cut_off_with_408(server):
    port = server
    s = _connect(port)
    s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    started = time.monotonic()
    cut_off = False
    try:
        # Dripping on: the body's deadline is for the whole body, not for a pause between chunks.
        while time.monotonic() - started < DROPPED_WITHIN:
            if select.select([s], [], [], 0)[0]:
                cut_off = True  # the server answered while the client was still sending
                break
            s.sendall(b"1\r\n \r\n")
            time.sleep(0.3)
    except OSError:
        cut_off = True  # the server closed while the client was still sending
    assert cut_off, "a body dripped without pause was never cut off"
    raw = _until_closed(s)
    s.close()
    status, headers, body = _response(raw)
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_sent(server):
    port = server
    for path in ("/api/v1/documents", "/documents/new/"):
        s = _connect(port)
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                  f"Content-Length: {10 ** 9}\r\n\r\n".encode())
        raw = _until_closed(s)  # not a byte of the body was sent: the answer cannot have waited for it
        s.close()
        status, headers, body = _response(raw)
        assert status == 413 and headers["connection"] == "close"
        if path.startswith("/api/"):
            error = json.loads(body)["error"]
            assert error["code"] == "request_too_large" and error["details"]["max_bytes"] == MAX_MB * 1024 * 1024
            assert "quá lớn" in error["message"]
        else:
            assert headers["content-type"].startswith("text/html") and "quá lớn" in body.decode()


def test_a_chunked_body_growing_past_the_limit_is_refused(server):
    port = server
    s = _connect(port)
    s.sendall(b"POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    piece = b"x" * 65536
    sent = 0
    try:
        while sent < 4 * MAX_MB * 1024 * 1024:
            if select.select([s], [], [], 0)[0]:
                break  # answered: stop sending
            s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sent += len(piece)
    except OSError:
        pass
    raw = _until_closed(s)
    s.close()
    status, headers, body = _response(raw)
    assert status == 413 and json.loads(body)["error"]["code"] == "request_too_large"
    assert sent < 4 * MAX_MB * 1024 * 1024  # refused once past the limit, not after reading everything


def test_bodies_within_the_limits_still_reach_the_application(server):
    port = server
    body = json.dumps({"username": "khong_co", "password": "sai"}).encode()
    # Chunked (Django itself reads bodies by their length only), and announced with 100-continue.
    s = _connect(port)
    s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    status, _h, answer = _response(_until_closed(s))
    s.close()
    assert status == 401 and json.loads(answer)["error"]["code"] == "invalid_credentials"
    s = _connect(port)
    s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
    assert s.recv(100).startswith(b"HTTP/1.1 100")
    s.sendall(body)
    status, _h, answer = _response(_until_closed(s))
    s.close()
    assert status == 401 and json.loads(answer)["error"]["code"] == "invalid_credentials"
    # Bodies read by the event loop and by a thread, up to the limit, are handed on whole: here
    # a JSON object padded with spaces, whose wrong password the application reads and refuses.
    for size in (900 * 1024, MAX_MB * 1024 * 1024):
        padded = body[:-1] + b" " * (size - len(body)) + b"}"
        r = requests.post(f"http://127.0.0.1:{port}/api/v1/auth/token", data=padded,
                          headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials", r.text[:300]


@pytest.mark.parametrize("request_head,status", [
    (b"GET /api/v1/documents?q=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),  # request line too long
    (b"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"GET /api/v1/me HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 400),  # gunicorn refuses the request line
])
def test_requests_the_server_itself_refuses_get_the_json_error_object_under_the_api(server, request_head, status):
    s = _connect(server)
    s.sendall(request_head)
    code, headers, body = _response(_until_closed(s))
    assert code == status, body[:300]
    assert headers["content-type"].startswith("application/json"), (headers, body[:300])
    assert int(headers["content-length"]) == len(body)
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    # The same refusal of a page stays gunicorn's own HTML.
    s = _connect(server)
    s.sendall(request_head.replace(b"/api/v1/documents", b"/documents/").replace(b"/api/v1/me", b"/"))
    code, headers, _body = _response(_until_closed(s))
    assert code == status and headers["content-type"].startswith("text/html")
