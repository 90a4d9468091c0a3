"""Fixtures for the signatures tests: the demo authority, and a world whose people can sign."""

from __future__ import annotations

import pytest

from vanthu.signatures.ca import ensure_demo_ca
from vanthu.signatures.signers import forget_signers
from vanthu.signatures.verify import forget_trust


@pytest.fixture(autouse=True)
def _fresh_caches():
    forget_signers()
    forget_trust()
    yield
    forget_signers()
    forget_trust()


@pytest.fixture
def signing_world(world):
    """The standard world, after `vanthu ca init`: every leader, clerk and organisation has a certificate."""
    ensure_demo_ca()
    return world
