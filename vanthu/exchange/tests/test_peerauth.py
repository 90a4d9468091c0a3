"""A peer proves which installation it is (the MAC of the body, under the key both derive from
their published exchange keys) before a byte of what it posts is parsed."""

from __future__ import annotations

import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from vanthu.documents import storage
from vanthu.documents.models import Document
from vanthu.errors import Unprocessable
from vanthu.exchange import edxml as E
from vanthu.exchange import peerauth, sending
from vanthu.exchange.actions import register_peer
from vanthu.exchange.models import OutboxMessage, Peer, Refusal, StagedPackage
from vanthu.exchange.site import identity, site_id
from vanthu.exchange.tests.peers import (
    REMOTE_SITE,
    as_the_peer_posts,
    remote_identity,
    remote_mac_key,
    run_worker,
)
from vanthu.exchange.tests.test_edxml import _key_and_cert
from vanthu.exchange.tests.test_exchange_db import _incoming, _issue_to

INBOX = "/exchange/inbox"
# 20,000 attributes: parsing it on the code before took a second (200,000 took minutes).
BOMB = (f'<edXML:edXML xmlns:edXML="{E.NS}"><edXML:e ' + " ".join(f'a{i}="x"' for i in range(20_000)) + "/></edXML:edXML>").encode()


def post(client, body: bytes, **headers):
    return client.post(INBOX, data=body, content_type="application/xml", **headers)


def test_identity_publishes_an_exchange_key_and_both_sides_derive_the_same_mac_key(peer_world):
    _world, peer, *_ = peer_world
    assert len(base64.b64decode(identity()["exchange_key"])) == 32
    # What the peer's installation derives on its side, from our published key, is what we hold.
    assert peer.inbound_secret == peer.outbound_secret == remote_mac_key()
    assert len(peer.inbound_secret) == 64


def test_a_package_with_the_peers_mac_is_received(transactional_db, peer_world, client):
    world, *_ = peer_world
    body = _incoming(peer_world)
    r = post(client, body, **as_the_peer_posts(body))
    assert r.status_code == 200 and r.json()["status"] == "staged", r.json()
    run_worker()  # the worker checks what the door acknowledged
    assert StagedPackage.objects.get().state == "accepted"
    assert Document.objects.filter(source="peer").count() == 1


@pytest.mark.parametrize("how", ["none", "wrong", "other_body", "reflected", "other_key", "not_hex"])
@pytest.mark.parametrize("body", [b"<not xml at all", BOMB], ids=["malformed", "attribute_bomb"])
def test_without_the_peers_mac_the_body_is_never_parsed(peer_world, client, how, body):
    """A stranger who knows a public site id gets a 403 for any body, never the parser's answer."""
    headers = {
        "none": lambda: {"HTTP_X_VANTHU_SITE": REMOTE_SITE},
        "wrong": lambda: {"HTTP_X_VANTHU_SITE": REMOTE_SITE, "HTTP_X_VANTHU_MAC": "hmac-sha256=" + "0" * 64},
        "other_body": lambda: as_the_peer_posts(_incoming(peer_world)),  # a MAC the peer really made, for another body
        "reflected": lambda: as_the_peer_posts(body, from_site=site_id(), to_site=REMOTE_SITE) | {"HTTP_X_VANTHU_SITE": REMOTE_SITE},
        "other_key": lambda: as_the_peer_posts(body, key="f" * 64),
        "not_hex": lambda: {"HTTP_X_VANTHU_SITE": REMOTE_SITE, "HTTP_X_VANTHU_MAC": "hmac-sha256=ü"},
    }[how]()
    r = post(client, body, **headers)
    assert r.status_code == 403, r.content[:300]
    assert r.json()["error"]["code"] == "bad_mac"
    assert list(Refusal.objects.values_list("code", flat=True)) == ["bad_mac"]
    assert not Document.objects.filter(source="peer").exists()
    # The body was streamed towards the store while its MAC was computed: none of it stays,
    # not as a stored file, not as a temporary one.
    assert not storage.exists(hashlib.sha256(body).hexdigest())
    assert not list(Path(settings.FILES_DIR).glob(".tmp-*"))
    assert not StagedPackage.objects.exists()


def test_with_the_peers_mac_a_hostile_body_meets_the_parsers_limits(transactional_db, peer_world, client):
    r = post(client, BOMB, **as_the_peer_posts(BOMB))
    assert r.status_code == 200 and r.json()["status"] == "staged"  # the door parses nothing
    run_worker()
    staged = StagedPackage.objects.get()
    assert staged.state == "refused" and staged.code == "too_many_attributes"
    assert list(Refusal.objects.values_list("code", flat=True)) == ["too_many_attributes"]
    assert not storage.exists(staged.body_sha256)
    # Too broken to say which document it is: nothing to tell the sender, only the log.
    assert not OutboxMessage.objects.exists()


def test_a_peer_we_hold_no_key_for_is_refused_before_its_body_is_read(peer_world, client):
    _world, peer, *_ = peer_world
    Peer.objects.filter(pk=peer.pk).update(inbound_secret="")
    body = _incoming(peer_world)
    r = post(client, body, **as_the_peer_posts(body))
    assert r.status_code == 403 and r.json()["error"]["code"] == "peer_without_key"
    assert not Document.objects.filter(source="peer").exists()


def test_an_unknown_site_is_refused(peer_world, client):
    body = _incoming(peer_world)
    r = post(client, body, **as_the_peer_posts(body, from_site="stranger"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "unknown_peer"


def test_a_malformed_exchange_key_is_refused_at_registration(db):
    _key, cert = _key_and_cert()
    with pytest.raises(Unprocessable) as exc:
        register_peer(remote_identity(cert, exchange_key="bm90IGEga2V5"))
    assert exc.value.code == "invalid_identity"
    assert not Peer.objects.exists()


def test_keys_given_by_hand_are_kept(db):
    _key, cert = _key_and_cert()
    peer = register_peer(remote_identity(cert), inbound_secret="in-key", outbound_secret="out-key")
    assert (peer.inbound_secret, peer.outbound_secret) == ("in-key", "out-key")


class _Capture(BaseHTTPRequestHandler):
    seen: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((dict(self.headers), body))
        payload = b'{"status": "accepted", "status_code": "01"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_the_outbox_posts_with_the_mac_the_peer_checks(peer_world):
    world, peer, remote, *_ = peer_world
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        Peer.objects.filter(pk=peer.pk).update(endpoint=f"http://127.0.0.1:{server.server_address[1]}/exchange/inbox")
        _Capture.seen.clear()
        _issue_to(world, [remote])
        assert sending.send_due() == 1
    finally:
        server.shutdown()
        server.server_close()
    (headers, body), = _Capture.seen
    assert headers["X-VanThu-Site"] == site_id() and "Authorization" not in headers
    # The peer checks it with the key it derived, for a post from us to it.
    expected = as_the_peer_posts(body, from_site=site_id(), to_site=REMOTE_SITE)["HTTP_X_VANTHU_MAC"]
    assert headers[peerauth.HEADER] == expected
    assert OutboxMessage.objects.get().state == "sent"
