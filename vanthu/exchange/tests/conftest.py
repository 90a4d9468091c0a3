"""Fixtures of the exchange's in-process tests: a registered peer serving one organisation."""

from __future__ import annotations

import pytest

from vanthu.exchange.tests.peers import register_unreachable_peer


@pytest.fixture
def peer_world(world):
    peer, key, cert = register_unreachable_peer()
    remote = peer.organizations.get().organization
    return world, peer, remote, key, cert
