"""A peer installation for in-process tests: registered like a real one, at an address where nothing
answers (port 9 is closed), so the outbox's attempts fail the way a down peer's do."""

from __future__ import annotations

from vanthu.exchange.actions import register_peer
from vanthu.exchange.models import Peer
from vanthu.exchange.tests.test_edxml import _key_and_cert
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_demo_ca

REMOTE = "000.00.00.H26"


def register_unreachable_peer() -> tuple[Peer, object, object]:
    """(peer, its organisation's key, certificate) for the City Party Committee at a closed port."""
    ensure_demo_ca()
    key, cert = _key_and_cert()
    peer = register_peer({
        "site_id": "city-site", "name": "Thành ủy Hà Nội", "base_url": "http://127.0.0.1:9", "endpoint": "http://127.0.0.1:9/exchange/inbox",
        "organizations": [{"code": REMOTE, "name": "Thành ủy Hà Nội", "short_name": "TU", "certificate": C.b64(C.der(cert))}],
    })
    return peer, key, cert
