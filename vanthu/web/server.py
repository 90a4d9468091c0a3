"""The web server `vanthu serve` runs: gunicorn's threaded worker, hardened against slow and
oversized requests, and the WSGI application behind a body guard.

Gunicorn's threaded worker hands a connection to a thread as soon as its first byte arrives; the
thread then blocks until the request line, the headers and (inside the application) the body have
arrived, with no time limit. A handful of clients that send a request slowly (a byte now and then,
"slowloris") or stop half-way would hold every thread, and the server would stop answering.

Here, instead:

* The request head, and a body of known length up to `PREBUFFER_BYTES`, are read by the
  worker's event loop, without a thread, and only a complete request is handed to the thread pool.
  A slow client costs a socket, not a thread, so it cannot make the server unavailable to others.
* Reading has deadlines: the head must arrive within `VANTHU_REQUEST_HEADER_TIMEOUT` seconds; a
  body within `VANTHU_REQUEST_BODY_TIMEOUT` seconds, extended while it keeps arriving at
  `VANTHU_REQUEST_MIN_RATE_KB` KiB/s or faster (as Apache's mod_reqtimeout does), and with no
  pause longer than `VANTHU_REQUEST_BODY_TIMEOUT` (as nginx's client_body_timeout). Past its
  deadline a connection is answered 408 and closed.
* Larger and chunked bodies are read in a thread, under the same deadlines (every recv() is
  bounded by the time left). The body guard reads every body before Django sees it: a
  Content-Length above `VANTHU_MAX_REQUEST_MB` is refused with 413 before a byte of the body is
  read, a chunked body is refused as soon as it grows past the limit, and a body that comes too
  slowly gets 408 — on /api/ with the API's JSON error object.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import TConn, ThreadWorker

PREBUFFER_BYTES = 1024 * 1024  # bodies up to this size are read by the event loop
MAX_HEAD_BYTES = 64 * 1024  # past this without a blank line, gunicorn's parser refuses the head
READ_CHUNK = 64 * 1024
MAX_TARGET_BYTES = 8 * 1024  # of a head kept to tell whether an unparsable request was for /api/
# The gunicorn request a worker thread is serving, so that the body guard can close its connection.
_serving = threading.local()


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(f"VANTHU_{name}", default))
    except ValueError:
        return default


def limits() -> tuple[float, float, float, int]:
    """(header timeout s, body timeout s, minimum body rate B/s, largest request body in bytes).

    Read from the environment (the worker starts before Django's settings may be imported);
    vanthu.settings reads the same variables for the body guard."""
    return (_env_float("REQUEST_HEADER_TIMEOUT", 20), _env_float("REQUEST_BODY_TIMEOUT", 30),
            _env_float("REQUEST_MIN_RATE_KB", 1) * 1024, int(_env_float("MAX_REQUEST_MB", 120) * 1024 * 1024))


class RequestTimeout(TimeoutError):
    """The client did not send its request in time."""


class _DeadlineRecv:
    """The socket as the request parser sees it: every recv() is bounded by a deadline, which
    grows by one second for every `min_rate` bytes received, and by an idle limit (no byte for
    that long ends the request however much came before). A zero deadline means no limits."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = 0.0
        self.idle = 0.0
        self.min_rate = 0.0

    def start(self, seconds: float, min_rate: float = 0.0) -> None:
        self.deadline = time.monotonic() + seconds
        self.idle = seconds
        self.min_rate = min_rate

    def stop(self) -> None:
        self.deadline = 0.0

    def recv(self, size: int) -> bytes:
        if not self.deadline:
            return self._sock.recv(size)
        left = min(self.deadline - time.monotonic(), self.idle)
        if left <= 0:
            raise RequestTimeout("request not received in time")
        before = self._sock.gettimeout()
        self._sock.settimeout(left if before is None else min(before, left))
        try:
            data = self._sock.recv(size)
        except TimeoutError as exc:
            raise RequestTimeout("request not received in time") from exc
        finally:
            self._sock.settimeout(before)
        if self.min_rate:
            self.deadline += len(data) / self.min_rate
        return data

    def __getattr__(self, name: str) -> Any:  # gettimeout/settimeout/fileno for gunicorn's drain
        return getattr(self._sock, name)


class _Reading:
    """A request being read by the event loop."""

    __slots__ = ("buf", "deadline", "head_end", "idle_until", "need", "scanned")

    def __init__(self, deadline: float) -> None:
        self.buf = bytearray()
        self.scanned = 0  # bytes of the head already searched for its end
        self.deadline = deadline  # for the whole head, or the body (extended as it arrives)
        self.idle_until = deadline  # the next byte must come by then
        self.head_end = -1
        self.need = -1  # bytes of head + body to wait for; -1 while the head is incomplete


def _body_in_loop(head: bytes) -> int | None:
    """The body length to wait for in the event loop, or None when a thread should read the body:
    chunked, larger than PREBUFFER_BYTES, waiting for "100 Continue", or malformed framing (which
    the parser refuses)."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
        elif name == b"transfer-encoding" or (name == b"expect" and b"100" in value):
            return None
    return length if 0 <= length <= PREBUFFER_BYTES else None


class GuardedThreadWorker(ThreadWorker):
    """gunicorn's `gthread` worker, reading request heads and small bodies in its event loop."""

    def init_process(self) -> None:
        self.header_timeout, self.body_timeout, self.min_rate, self.max_body = limits()
        self.reading: dict[Any, _Reading] = {}
        super().init_process()

    # --- the event loop: new and kept-alive connections are read without a thread ---------

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:  # TLS is terminated by a proxy in front; keep gunicorn's own path
            return super().accept(listener)
        try:
            client, addr = listener.accept()
        except OSError:
            return None
        self.nr_conns += 1
        self._read_request(TConn(self.cfg, client, addr, listener.getsockname()))
        return None

    def on_client_socket_readable(self, conn, client) -> None:
        if self.cfg.is_ssl:
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read_request(conn)
        return None

    def _read_request(self, conn) -> None:
        conn.sock.setblocking(False)
        self.reading[conn] = _Reading(time.monotonic() + self.header_timeout)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, _sock) -> None:
        state = self.reading[conn]
        try:
            data = conn.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget(conn)
            self.nr_conns -= 1
            conn.close()
            return
        state.buf += data
        now = time.monotonic()
        if state.need < 0:
            # From where the last search stopped: a head dripped a byte at a time costs linear time.
            end = state.buf.find(b"\r\n\r\n", max(0, state.scanned - 3))
            state.scanned = len(state.buf)
            if end < 0:
                if len(state.buf) > MAX_HEAD_BYTES:
                    self._dispatch(conn)  # the parser answers 431/400
                return
            state.head_end = end + 4
            length = _body_in_loop(bytes(state.buf[:end]))
            if length is None:
                self._dispatch(conn)  # read in a thread, under deadlines (see handle_request)
                return
            state.need = state.head_end + length
            state.deadline = now + self.body_timeout
        elif self.min_rate:
            state.deadline += len(data) / self.min_rate
        if state.need >= 0:
            state.idle_until = now + self.body_timeout
        if len(state.buf) >= state.need:
            self._dispatch(conn)

    def _forget(self, conn) -> None:
        self.reading.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _dispatch(self, conn) -> None:
        state = self.reading[conn]
        self._forget(conn)
        conn.sock.setblocking(True)
        conn.data_ready = True
        conn.vanthu_prefix = bytes(state.buf)
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, state in list(self.reading.items()):
            if min(state.deadline, state.idle_until) <= now:
                self._forget(conn)
                self.nr_conns -= 1
                answer = (_json_answer((408, "Request Timeout")) if _target_of(bytes(state.buf[:MAX_TARGET_BYTES])).startswith("/api/")
                          else b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                try:  # best effort: the client may be gone, or not reading
                    conn.sock.send(answer)
                except OSError:
                    pass
                conn.close()

    # --- the threads: complete requests, and large or chunked bodies under deadlines ---------

    def handle(self, conn):
        prefix = getattr(conn, "vanthu_prefix", None)
        _serving.head = prefix[:MAX_TARGET_BYTES] if prefix else b""
        if prefix is not None:
            conn.vanthu_prefix = None
            conn.init()
            unreader = conn.parser.unreader
            if not isinstance(unreader.sock, _DeadlineRecv):
                unreader.sock = _DeadlineRecv(unreader.sock)
            unreader.unread(prefix)
        sock = getattr(getattr(conn.parser, "unreader", None), "sock", None)
        if isinstance(sock, _DeadlineRecv):
            # Whatever of a head is not buffered (a pipelined request) has a deadline too.
            sock.start(self.header_timeout)
        return super().handle(conn)

    def handle_error(self, req, client, addr, exc):
        """gunicorn's answer to a request it cannot parse (414 URI too long, 431, 400) or to a
        server error; under /api/ with the API's JSON error object instead of gunicorn's HTML."""
        target = getattr(req, "path", None) or _target_of(getattr(_serving, "head", b""))
        if not target.startswith("/api/"):
            return super().handle_error(req, client, addr, exc)
        written = _Written(client)
        super().handle_error(req, written, addr, exc)  # gunicorn decides the status, and logs
        status = written.status()
        if status:
            try:
                util.write_nonblock(client, _json_answer(status))
            except Exception:  # as gunicorn does: the client may be gone
                self.log.debug("Failed to send error message.")
        return None

    def handle_request(self, req, conn):
        sock = conn.parser.unreader.sock
        if isinstance(sock, _DeadlineRecv):
            sock.start(self.body_timeout, self.min_rate)
        _serving.req = req
        try:
            return super().handle_request(req, conn)
        finally:
            _serving.req = None
            if isinstance(sock, _DeadlineRecv):
                sock.stop()  # gunicorn bounds the drain of an unread body itself


def _target_of(head: bytes) -> str:
    """The path a raw request head asks for ("" if it cannot be read): `GET /api/v1/x?… HTTP/1.1`,
    or the absolute form `GET http://host/api/v1/x HTTP/1.1`."""
    parts = head.split(b"\r\n", 1)[0].split(b" ", 2)
    if len(parts) < 2:
        return ""
    target = parts[1].decode("latin-1")
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return target


class _Written:
    """The client's socket as gunicorn's error writer sees it: keeps what it would send."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data

    def gettimeout(self) -> float:
        return 0.0  # so that the writer sends at once, without changing the real socket

    def status(self) -> tuple[int, str] | None:
        """(status, reason) of the response gunicorn wrote, if it wrote one."""
        line = self.data.split(b"\r\n", 1)[0].split(b" ", 2)
        if len(line) < 2 or not line[1].isdigit():
            return None
        return int(line[1]), (line[2].decode("latin-1") if len(line) > 2 else "")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _json_answer(status: tuple[int, str]) -> bytes:
    """A whole HTTP response, closing the connection, with the API's JSON error object."""
    from django.utils import translation

    # Here, not at the top: the worker class is loaded before Django's settings are.
    from vanthu.security.middleware import api_error_body

    code, reason = status
    with translation.override("vi"):
        body = api_error_body(code)
    head = (f"HTTP/1.1 {code} {reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def _close_after_response() -> None:
    """Answer with "Connection: close" and close: the rest of a refused body is never read."""
    req = getattr(_serving, "req", None)
    if req is not None:
        req.must_close = True


# --- the body guard -----------------------------------------------------------------------------

StartResponse = Callable[..., Any]


def _refusal(environ: dict, status: str, code: str, message: str, details: dict) -> tuple[str, list, bytes]:
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message, "details": details}}, ensure_ascii=False)
        return status, [("Content-Type", "application/json; charset=utf-8")], body.encode()
    page = f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{status}</title><p>{message}</p></html>'
    return status, [("Content-Type", "text/html; charset=utf-8")], page.encode()


class BodyGuard:
    """Reads every request body before the application sees it (see the module's docstring)."""

    def __init__(self, app: Callable[[dict, StartResponse], Iterable[bytes]], max_body: int | None = None) -> None:
        self.app = app
        self.max_body = limits()[3] if max_body is None else max_body

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats it as no body, and so do we
        if length > self.max_body:
            return self._refuse(environ, start_response, 413)
        if chunked or length > 0:
            try:
                body, size = self._read(environ["wsgi.input"], None if chunked else length)
            except RequestTimeout:
                return self._refuse(environ, start_response, 408)
            except (OSError, NoMoreData):
                body, size = None, -1
            if size < 0:  # the client went away before sending it all: nobody to answer
                _close_after_response()
                start_response("400 Bad Request", [("Content-Length", "0")])
                return []
            if body is None:
                return self._refuse(environ, start_response, 413)
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(size)  # Django reads a chunked body by its length too
        return self.app(environ, start_response)

    def _refuse(self, environ: dict, start_response: StartResponse, status: int) -> list[bytes]:
        from django.utils import translation
        from django.utils.translation import gettext as _

        with translation.override("vi"):
            if status == 413:
                mb = self.max_body / (1024 * 1024)
                refusal = ("413 Content Too Large", "request_too_large",
                           _("Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB).") % {"mb": f"{mb:g}"}, {"max_bytes": self.max_body})
            else:
                refusal = ("408 Request Timeout", "request_timeout", _("Dữ liệu gửi lên quá chậm; kết nối đã bị đóng."), {})
        line, headers, payload = _refusal(environ, *refusal)
        _close_after_response()
        start_response(line, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _read(self, stream, length: int | None):
        """(a file holding the body, its size); (None, size) when it is larger than allowed,
        (None, -1) when it ended early."""
        body = tempfile.SpooledTemporaryFile(max_size=PREBUFFER_BYTES)
        size = 0
        want = length if length is not None else self.max_body + 1
        while size < want:
            piece = stream.read(min(READ_CHUNK, want - size))
            if not piece:
                break
            size += len(piece)
            body.write(piece)
        if size > self.max_body:
            body.close()
            return None, size
        if length is not None and size < length:  # the client closed before sending it all
            body.close()
            return None, -1
        body.seek(0)
        return body, size

