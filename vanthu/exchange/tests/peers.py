"""A peer installation for in-process tests: registered like a real one, at an address where nothing
answers (port 9 is closed), so the outbox's attempts fail the way a down peer's do."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import call_command

from vanthu.exchange.actions import register_peer
from vanthu.exchange.models import Peer
from vanthu.exchange.site import exchange_public_key, site_id
from vanthu.exchange.tests.test_edxml import _key_and_cert
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_demo_ca

REMOTE = "000.00.00.H26"
REMOTE_SITE = "city-site"
# The peer installation's own exchange key (its data dir's), whose public half it publishes.
REMOTE_EXCHANGE_KEY = X25519PrivateKey.generate()


def remote_identity(cert, **extra) -> dict:
    public = REMOTE_EXCHANGE_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"site_id": REMOTE_SITE, "name": "Thành ủy Hà Nội", "base_url": "http://127.0.0.1:9", "endpoint": "http://127.0.0.1:9/exchange/inbox",
            "organizations": [{"code": REMOTE, "name": "Thành ủy Hà Nội", "short_name": "TU", "certificate": C.b64(C.der(cert))}],
            "exchange_key": base64.b64encode(public).decode(), **extra}


def register_unreachable_peer() -> tuple[Peer, object, object]:
    """(peer, its organisation's key, certificate) for the City Party Committee at a closed port."""
    ensure_demo_ca()
    key, cert = _key_and_cert()
    return register_peer(remote_identity(cert)), key, cert


def remote_mac_key() -> str:
    """The MAC key as the peer's installation derives it, on its side, from our published key
    (written out here as the protocol says, independently of vanthu.exchange.peerauth)."""
    ours = X25519PublicKey.from_public_bytes(base64.b64decode(exchange_public_key()))
    shared = REMOTE_EXCHANGE_KEY.exchange(ours)
    info = b"vanthu-exchange-1\x00" + b"\x00".join(sorted([REMOTE_SITE.encode(), site_id().encode()]))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared).hex()


def as_the_peer_posts(body: bytes, *, key: str | None = None, from_site: str = REMOTE_SITE, to_site: str | None = None) -> dict:
    """The headers (as Django test client keywords) the peer's installation sends with `body`."""
    to_site = site_id() if to_site is None else to_site
    signed = b"vanthu-exchange-1\n%s\n%s\n" % (from_site.encode(), to_site.encode()) + body
    mac = hmac.new((key or remote_mac_key()).encode(), signed, hashlib.sha256).hexdigest()
    return {"HTTP_X_VANTHU_SITE": from_site, "HTTP_X_VANTHU_MAC": f"hmac-sha256={mac}"}


def run_worker() -> None:
    """The background worker, in this process, until nothing is left to do now (`db_worker
    --batch`): what a real worker does with what the door and the actions queued. It closes the
    database connection when done, so the test needs `transactional_db`."""
    call_command("db_worker", batch=True, startup_delay=False, queue_name="default", interval=0.05, verbosity=0)
