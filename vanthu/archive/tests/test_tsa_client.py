"""VanThu's timestamp client: one for signing and the archive, a connection kept per thread and
per process, the authority's credentials sent."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os

from django.test import override_settings

from vanthu.archive import ltv
from vanthu.archive.tsa import Authority, TsaServer, _Handler, issue_tsa_certificate
from vanthu.signatures import ca, signing


class _Recording(_Handler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.server.authorizations.append(self.headers.get("Authorization"))  # type: ignore[attr-defined]
        super().do_POST()


class _CountingServer(TsaServer):
    def __init__(self, auth: Authority) -> None:
        super().__init__(auth)
        self.RequestHandlerClass = _Recording
        self.connections = 0
        self.authorizations: list[str | None] = []

    def verify_request(self, request, client_address) -> bool:  # noqa: ANN001 - socketserver's signature
        self.connections += 1  # once a connection
        return True


def _stamp(ts) -> None:
    token = asyncio.run(ts.async_timestamp(hashlib.sha256(os.urandom(16)).digest(), "sha256"))
    assert token["content"]["encap_content_info"]["content"].parsed["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"


def test_one_client_keeps_its_connection_and_sends_the_credentials(db):
    root = ca.make_root("Gốc thử dấu thời gian", years=5)
    cert, key = issue_tsa_certificate(root.certificate, root.key, name="TSA thử", years=2)
    server = _CountingServer(Authority(cert, key, [root.certificate])).start()
    try:
        with override_settings(VANTHU_TSA_URL=server.url, VANTHU_TSA_USERNAME="vanthu", VANTHU_TSA_PASSWORD="bi-mat"):
            ts = signing.timestamper()
            assert ts is ltv.timestamper()  # signing and the archive ask through the same client
            for _ in range(3):
                _stamp(ts)
            assert server.connections == 1
            # A forked process (the archive's stamping processes) opens its own connection
            # rather than speak on its parent's.
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    _stamp(ts)
                    code = 0
                finally:
                    os._exit(code)
            _pid, status = os.waitpid(pid, 0)
            _stamp(ts)
    finally:
        server.shutdown()
        server.server_close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert server.connections == 2
    assert len(server.authorizations) == 5
    assert set(server.authorizations) == {"Basic " + base64.b64encode(b"vanthu:bi-mat").decode()}
