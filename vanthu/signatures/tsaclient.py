"""The RFC 3161 client for VANTHU_TSA_URL: signing (B-T) and the archive's evidence (B-LTA) use it.

pyHanko's `RequestsHTTPTimeStamper` opens a new connection for every token (and, over HTTPS, a
new TLS handshake) and hands each request to a new thread of a new event loop. A night's
re-timestamping asks for thousands of tokens, so this client keeps one HTTP session per thread
(keep-alive, the credentials set once) and asks on the calling thread: every caller in VanThu
runs pyHanko under `asyncio.run` from synchronous code, one token at a time per loop.
"""

from __future__ import annotations

import os
import threading

import requests
from asn1crypto import tsp
from django.conf import settings
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers

TIMEOUT = 10


class KeepAliveTimeStamper(TimeStamper):
    def __init__(self, url: str, *, timeout: float = TIMEOUT, auth: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.auth = auth
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None or self._local.pid != os.getpid():
            # A forked process (the archive's stamping processes) opens its own connection:
            # sharing the parent's socket would mix their answers.
            session = self._local.session = requests.Session()
            self._local.pid = os.getpid()
            session.auth = self.auth
            session.headers.update(set_tsp_headers({}))
        return session

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            res = self._session().post(self.url, data=req.dump(), timeout=self.timeout)
        except (OSError, requests.RequestException) as e:
            raise TimestampRequestError("Error in communication with timestamp server") from e
        if res.status_code != 200 or res.headers.get("Content-Type") != "application/timestamp-reply":
            raise TimestampRequestError(f"Timestamp server answered {res.status_code} {res.headers.get('Content-Type')!r}")
        return tsp.TimeStampResp.load(res.content)


_lock = threading.Lock()
_clients: dict[tuple[str, str, str], KeepAliveTimeStamper] = {}


def configured() -> KeepAliveTimeStamper | None:
    """The client for VANTHU_TSA_URL (with VANTHU_TSA_USERNAME/VANTHU_TSA_PASSWORD when set), or None."""
    url = settings.VANTHU_TSA_URL
    if not url:
        return None
    key = (url, settings.VANTHU_TSA_USERNAME, settings.VANTHU_TSA_PASSWORD)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = KeepAliveTimeStamper(url, auth=(key[1], key[2]) if key[1] else None)
        return client
