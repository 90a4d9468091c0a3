"""Fixtures of the exchange's in-process tests: a registered peer serving one organisation."""

from __future__ import annotations

import pytest

from vanthu.exchange.actions import register_peer
from vanthu.exchange.tests.test_edxml import _key_and_cert
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_demo_ca

REMOTE = "000.00.00.H26"


@pytest.fixture
def peer_world(world):
    ensure_demo_ca()
    key, cert = _key_and_cert()
    peer = register_peer({
        "site_id": "city-site", "name": "Thành ủy Hà Nội", "base_url": "http://127.0.0.1:9", "endpoint": "http://127.0.0.1:9/exchange/inbox",
        "organizations": [{"code": REMOTE, "name": "Thành ủy Hà Nội", "short_name": "TU", "certificate": C.b64(C.der(cert))}],
    })
    remote = peer.organizations.get().organization
    return world, peer, remote, key, cert
