"""A message that can never go fails at once and says why; one that may go later is retried.

Before: a status message that could not be built (a reject reason holding a control character,
which XML cannot carry) was retried for 72 hours, and the sender never learnt of the rejection.
Now it fails at the first attempt, the administrator sees it with its reason (the outbox in the
admin pages and in the API), and a package that fails so moves its delivery to 98 at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client

from vanthu.accounts.models import User
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery, Document, StatusCode
from vanthu.exchange import sending
from vanthu.exchange.models import OutboxMessage, OutboxState, Peer
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.test_exchange_db import _incoming, _issue_to
from vanthu.signatures.tests.pki import http_server
from vanthu.testing.fixtures import ApiClient


@contextmanager
def peer_answering(peer: Peer, status: int = 200) -> Iterator[list[bytes]]:
    """The peer's inbox on a loopback port, answering every post with `status` as a VanThu
    installation does (an acknowledgement, or a refusal with its reason). Yields what it got."""
    received: list[bytes] = []

    def answer(_path: str, body: bytes):
        received.append(body)
        if status == 200:
            return "application/json", json.dumps({"status": "accepted", "status_code": "01"}).encode()
        refusal = {"status": "refused", "error": {"code": "refused_here", "message": "Nơi nhận không nhận gói tin này."}}
        return status, "application/json", json.dumps(refusal, ensure_ascii=False).encode()

    with http_server(answer) as base:
        Peer.objects.filter(pk=peer.pk).update(endpoint=f"{base}/exchange/inbox")
        yield received


def _rejected_from_the_peer(peer_world) -> OutboxMessage:
    """A document the peer sent us, rejected by our clerk: the status message back to the peer."""
    world, peer, *_ = peer_world
    assert receive(_incoming(peer_world), peer=peer).http_status == 200
    d = Delivery.objects.get(recipient=world.b.org)
    doc_actions.reject_delivery(d, user=world.b.clerk, reason="Không đúng thẩm quyền")
    return OutboxMessage.objects.get(kind="status", status_code=StatusCode.REJECTED)


def _failed_for_good(row: OutboxMessage) -> None:
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and row.attempts == 1, (row.state, row.attempts, row.last_error)
    assert not OutboxMessage.objects.due().filter(pk=row.pk).exists() and sending.next_due() is None  # never retried
    assert AuditEntry.objects.filter(action="exchange_message_failed").count() == 1


def test_a_status_that_cannot_be_built_fails_at_once_and_the_administrator_sees_why(peer_world):
    world, peer, *_ = peer_world
    row = _rejected_from_the_peer(peer_world)
    # A reason stored before the doors checked text: XML cannot carry its control character.
    OutboxMessage.objects.filter(pk=row.pk).update(description="Không đúng\x01 thẩm quyền")
    with peer_answering(peer) as received:
        assert sending.send_due() == 0
    assert received == []  # nothing went out
    _failed_for_good(row)
    assert "Không tạo được thư liên thông" in row.last_error and "XML" in row.last_error, row.last_error
    # The administrator's outbox (the admin pages) lists it as failed, with the reason.
    admin = Client()
    admin.force_login(User.objects.create_superuser("quantri", password="demo"))
    page = admin.get("/admin/exchange/outboxmessage/?state__exact=failed").content.decode()
    assert str(row.pk) in page and "Không tạo được thư liên thông" in page
    # And the recipient's clerk sees it in the API's outbox.
    items = ApiClient(world.b.clerk).get("/api/v1/exchange/outbox", state="failed").json()["items"]
    assert [(i["id"], i["state"]) for i in items] == [(row.pk, "failed")] and "XML" in items[0]["last_error"]


def test_a_package_that_cannot_be_built_moves_its_delivery_to_98_at_once(peer_world):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    Document.objects.filter(pk=doc.pk).update(subject="Về việc\x1b[31m thử")  # stored before the doors checked text
    row = OutboxMessage.objects.get(kind="package")
    with peer_answering(peer) as received:
        sending.send_due()
    assert received == []
    _failed_for_good(row)
    d = Delivery.objects.get(document=doc, recipient=remote)
    assert d.status_code == StatusCode.SEND_FAILED
    assert "Không tạo được thư liên thông" in d.events.order_by("at", "id").last().note


@pytest.mark.parametrize("status", [400, 403, 404, 413, 415, 422])
def test_a_peer_that_refuses_for_good_is_not_asked_again(peer_world, status):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    row = OutboxMessage.objects.get(kind="package")
    with peer_answering(peer, status) as received:
        sending.send_due()
        sending.send_due()
    assert len(received) == 1
    _failed_for_good(row)
    assert f"HTTP {status}" in row.last_error and "Nơi nhận không nhận gói tin này." in row.last_error
    assert Delivery.objects.get(document=doc, recipient=remote).status_code == StatusCode.SEND_FAILED


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503])
def test_a_peer_that_says_not_now_is_asked_again_later(peer_world, status):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    row = OutboxMessage.objects.get(kind="package")
    with peer_answering(peer, status) as received:
        sending.send_due()
    assert len(received) == 1
    row.refresh_from_db()
    assert row.state == OutboxState.PENDING and row.attempts == 1 and row.next_attempt_at > row.created_at
    assert Delivery.objects.get(document=doc, recipient=remote).status_code == StatusCode.SENDING
