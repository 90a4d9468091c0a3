"""A peer proves which installation it is before a byte of what it sends is parsed.

Every post to /exchange/inbox carries

    X-VanThu-Site: the sender's site id
    X-VanThu-MAC:  hmac-sha256=<hex>   of  "vanthu-exchange-1\\n{from site}\\n{to site}\\n" + body

under a key only the two installations hold. The receiver finds the peer by its site id (an
unknown one is refused before the body is read), reads the body within its cap, and compares
the MAC in constant time; only a body that passes is parsed. The site ids in the MAC bind its
direction: a post from A to B cannot be reflected back to A as B's. The envelope's XML
signature is still checked after the parse: it says which organisation issued the document and
binds the files; the MAC only says, cheaply, which installation is talking, so that a stranger
who knows a public site id gets no parser time at all. A replayed body passes the MAC and is
then refused by the message id and the freshness check, as before.

The key is never sent nor typed. Each installation has an X25519 key (`site.exchange_key`)
whose public half GET /exchange/identity publishes; `vanthu peer add URL` pins the peer's (as
it pins its organisations' certificates) and both sides derive the same key: HKDF-SHA256 of the
X25519 secret, bound to both site ids. So `peer add` on each side, as before, is all it takes. A
peer registered from an identity without a key is refused until `peer add` is run again, or an
administrator sets keys by hand (`--inbound-secret` here equal to `--outbound-secret` there).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .models import Peer
from .site import exchange_key, site_id

HEADER = "X-VanThu-MAC"
SCHEME = "hmac-sha256="
CONTEXT = b"vanthu-exchange-1"


def known_peer(site: str) -> Peer | None:
    """The active peer that says it is `site` (what it says is checked by `authentic`)."""
    return Peer.objects.filter(site_id=site, is_active=True).first() if site else None


def derive_key(peer_public_key: str, peer_site_id: str) -> str:
    """The MAC key this installation and the peer both derive (hex); ValueError if the peer's
    published key is not an X25519 public key."""
    try:
        public = X25519PublicKey.from_public_bytes(base64.b64decode(peer_public_key, validate=True))
    except (binascii.Error, ValueError, TypeError):
        raise ValueError("not an X25519 public key") from None
    shared = exchange_key().exchange(public)
    ours, theirs = site_id().encode(), str(peer_site_id).encode()
    info = CONTEXT + b"\x00" + b"\x00".join(sorted([ours, theirs]))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared).hex()


def _hasher(key: str, from_site: str, to_site: str) -> hmac.HMAC:
    h = hmac.new(key.encode(), digestmod=hashlib.sha256)
    h.update(b"%s\n%s\n%s\n" % (CONTEXT, from_site.encode(), to_site.encode()))
    return h


def mac(key: str, from_site: str, to_site: str, body: bytes) -> str:
    h = _hasher(key, from_site, to_site)
    h.update(body)
    return SCHEME + h.hexdigest()


def headers_for(peer: Peer, body: bytes) -> dict[str, str]:
    """What a post to `peer` carries to say it comes from us."""
    headers = {"X-VanThu-Site": site_id()}
    if peer.outbound_secret:
        headers[HEADER] = mac(peer.outbound_secret, site_id(), peer.site_id, body)
    return headers


class Incoming:
    """The MAC of a body from `peer`, fed as the body is read (the door streams it to the store)."""

    def __init__(self, peer: Peer) -> None:
        self._h = _hasher(peer.inbound_secret, peer.site_id, site_id()) if peer.inbound_secret else None

    def update(self, chunk: bytes) -> None:
        if self._h is not None:
            self._h.update(chunk)

    def matches(self, header: str) -> bool:
        """The body read was sent by the peer to us, unchanged (False without a key to check it with)."""
        if self._h is None or not header:
            return False
        return hmac.compare_digest((SCHEME + self._h.hexdigest()).encode(), header.strip().encode("ascii", "replace"))


def authentic(peer: Peer, body: bytes, header: str) -> bool:
    """The body was sent by `peer` to us, unchanged (False without a key to check it with)."""
    incoming = Incoming(peer)
    incoming.update(body)
    return incoming.matches(header)
