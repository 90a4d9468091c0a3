"""The sender's row for a recipient at a peer: 00 until the peer acknowledges, 01 after, 98 when
the outbox gives up, back to 00 when a clerk resends; statistics count it like an internal one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from django.utils import timezone

from vanthu.documents.models import Delivery, StatusCode
from vanthu.exchange import edxml as E
from vanthu.exchange import sending
from vanthu.exchange.actions import request_recall, resend
from vanthu.exchange.commands import edxml_export
from vanthu.exchange.models import OutboxMessage, OutboxState, Peer
from vanthu.exchange.packages import document_id_of, split_symbol
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.test_exchange_db import REMOTE, _issue_to
from vanthu.reports import aggregates
from vanthu.reports.models import OrgDay
from vanthu.signatures.tests.pki import http_server

RECEIVED: list[bytes] = []  # packages the acknowledging peer got, in order


def _acknowledge(_path: str, body: bytes) -> tuple[str, bytes]:
    """A peer's inbox answering every post as the receiving endpoint does when it accepts."""
    RECEIVED.append(body)
    return "application/json", json.dumps({"status": "accepted", "status_code": "01"}).encode()


@pytest.fixture
def acknowledging_peer() -> Iterator[str]:
    RECEIVED.clear()
    with http_server(_acknowledge) as base:
        yield f"{base}/exchange/inbox"


def _codes(d: Delivery) -> list[str]:
    return [e.status_code for e in d.events.order_by("at", "id")]


def _give_up(settings) -> None:
    settings.VANTHU_EXCHANGE_MAX_AGE_HOURS = 0
    OutboxMessage.objects.update(next_attempt_at=timezone.now(), created_at=timezone.now() - dt.timedelta(minutes=1))
    sending.send_due()


def test_external_delivery_is_sending_until_acknowledged_internal_is_arrived_at_once(peer_world, acknowledging_peer):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote, world.b.org])
    internal = Delivery.objects.get(document=doc, recipient=world.b.org)
    external = Delivery.objects.get(document=doc, recipient=remote)
    assert internal.status_code == StatusCode.ARRIVED and _codes(internal) == ["01"]
    assert external.status_code == StatusCode.SENDING and _codes(external) == ["00"]
    # The peer is unreachable (the port of the fixture's peer is closed): still 00, never 01.
    assert sending.send_due() == 0
    external.refresh_from_db()
    assert external.status_code == StatusCode.SENDING
    # The peer is back and acknowledges: 01, arrived when it acknowledged.
    Peer.objects.filter(pk=peer.pk).update(endpoint=acknowledging_peer)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert sending.send_due() == 1 and len(RECEIVED) == 1
    external.refresh_from_db()
    assert external.status_code == StatusCode.ARRIVED and _codes(external) == ["00", "01"]
    assert external.arrived_at > internal.arrived_at
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    # The maintained statistics equal the ones recomputed from the records at every step.
    assert aggregates.snapshot() == aggregates.expected()


def test_given_up_is_99_with_the_reason_and_a_resend_goes_back_to_00(peer_world, settings, acknowledging_peer):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    _give_up(settings)
    d = Delivery.objects.get(document=doc, recipient=remote)
    assert d.status_code == StatusCode.SEND_FAILED and _codes(d) == ["00", "98"]
    assert "ConnectionError" in d.events.last().note
    assert aggregates.snapshot() == aggregates.expected()
    message = OutboxMessage.objects.get()
    settings.VANTHU_EXCHANGE_MAX_AGE_HOURS = 72
    resend(message, user=world.a.clerk)
    d.refresh_from_db()
    assert d.status_code == StatusCode.SENDING and _codes(d) == ["00", "98", "00"]
    Peer.objects.filter(pk=peer.pk).update(endpoint=acknowledging_peer)
    assert sending.send_due() == 1
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED and _codes(d) == ["00", "98", "00", "01"]


def test_statistics_count_a_recipient_in_transit_as_not_past_arrival(peer_world, settings):
    """Sent deliveries and "never past arrival" are the same whether the recipient is local or at a peer."""
    world, peer, remote, *_ = peer_world
    _issue_to(world, [remote, world.b.org])
    aggregates.fold_pending()  # what every read of the statistics does first
    row = OrgDay.objects.get(organization_id=world.a.org.id)
    assert (row.sent, row.sent_deliveries, row.sent_at_arrived) == (1, 2, 2)
    _give_up(settings)
    aggregates.fold_pending()
    row.refresh_from_db()
    assert (row.sent, row.sent_deliveries, row.sent_at_arrived) == (1, 2, 2)
    assert aggregates.snapshot() == aggregates.expected()


def _status(world, doc, key, cert, code: str) -> dict:
    number, notation = split_symbol(doc)
    msg = E.StatusMessage(message_id=E.new_message_id(), sender=E.Party(REMOTE, "Thành ủy"), recipient=E.Party(world.a.org.code),
                          document_id=document_id_of(doc), code_number=number, code_notation=notation, issued_date=doc.issued_date,
                          status_code=code, description="", timestamp=timezone.now(), staff_name="Nguyễn Thị Hà")
    answer = receive(E.sign(E.build_status(msg), key, cert), peer=None)
    return {"http": answer.http_status, **answer.body}


def test_a_status_from_the_peer_means_it_arrived_even_when_the_acknowledgement_was_lost(peer_world, settings):
    world, peer, remote, key, cert = peer_world
    doc = _issue_to(world, [remote])
    _give_up(settings)  # e.g. carried by hand (edxml export) while the network stayed down
    assert _status(world, doc, key, cert, "03")["http"] == 200
    d = Delivery.objects.get(document=doc, recipient=remote)
    assert d.status_code == StatusCode.ACCEPTED and _codes(d) == ["00", "98", "01", "03"]
    assert aggregates.snapshot() == aggregates.expected()


def test_our_own_codes_never_come_from_a_peer(peer_world):
    world, peer, remote, key, cert = peer_world
    doc = _issue_to(world, [remote])
    for code in ("00", "98"):
        answer = _status(world, doc, key, cert, code)
        assert answer["http"] == 422 and answer["error"]["code"] == "unknown_status_code"
    assert Delivery.objects.get(document=doc, recipient=remote).status_code == StatusCode.SENDING


def test_recall_before_the_acknowledgement_keeps_13_and_remembers_01(peer_world, acknowledging_peer):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    (req,) = request_recall(doc, user=world.a.clerk, reason="Ban hành nhầm")
    assert req.previous_status == StatusCode.SENDING
    Peer.objects.filter(pk=peer.pk).update(endpoint=acknowledging_peer)
    assert sending.send_due() == 2  # the package, then the recall, in that order
    d = Delivery.objects.get(document=doc, recipient=remote)
    req.refresh_from_db()
    assert d.status_code == StatusCode.RECALL_REQUESTED and req.previous_status == StatusCode.ARRIVED
    assert _codes(d) == ["00", "13", "01"]


def test_document_page_and_api_show_the_state_in_words(peer_world, client, api_as):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote, world.b.org])
    items = api_as(world.a.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()["items"]
    by_code = {i["recipient"]["code"]: i for i in items}
    assert by_code[REMOTE]["status_code"] == "00" and by_code[REMOTE]["status_label"] == "Đang gửi, chờ bên nhận xác nhận"
    assert by_code[world.b.org.code]["status_code"] == "01"
    api = api_as(world.a.clerk)
    english = api.client.get(f"/api/v1/documents/{doc.id}/deliveries", headers={**api.headers, "Accept-Language": "en"}).json()["items"]
    assert {i["status_label"] for i in english} == {"Sending, awaiting the recipient system's acknowledgement", "Arrived"}
    client.force_login(world.a.clerk)
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert 'data-status="00"' in page and "Đang gửi, chờ bên nhận xác nhận" in page
    assert "Đang chờ hệ thống nơi nhận xác nhận." in page


def test_a_clerk_sees_the_failure_on_the_page_and_sends_again_from_it(peer_world, client, settings):
    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    _give_up(settings)
    client.force_login(world.a.clerk)
    page = client.get(f"/documents/{doc.id}/").content.decode()
    assert 'data-status="98"' in page and "Gửi không thành công" in page and "Không gửi được sau 1 lần thử." in page
    message = OutboxMessage.objects.get()
    assert f"/exchange/outbox/{message.id}/resend" in page
    # Someone of another organisation cannot even see that the message exists.
    client.force_login(world.outsider.clerk)
    assert client.post(f"/exchange/outbox/{message.id}/resend").status_code == 404
    client.force_login(world.a.clerk)
    r = client.post(f"/exchange/outbox/{message.id}/resend")
    assert r.status_code == 302 and r["Location"] == f"/documents/{doc.id}/"
    assert Delivery.objects.get(document=doc, recipient=remote).status_code == StatusCode.SENDING
    assert OutboxMessage.objects.get().state == OutboxState.PENDING


def test_a_package_exported_to_a_file_is_not_an_acknowledgement(peer_world, tmp_path, acknowledging_peer):
    """USB export: the row stays 00 and its message pending, with the same message id in the file,
    so the peer's answer to the later post ("duplicate" if it was imported) makes it 01."""

    world, peer, remote, *_ = peer_world
    doc = _issue_to(world, [remote])
    path = tmp_path / "goitin.edxml"
    assert edxml_export(doc.id, str(path)) == 0
    d = Delivery.objects.get(document=doc, recipient=remote)
    message = OutboxMessage.objects.get()
    assert d.status_code == StatusCode.SENDING and message.state == OutboxState.PENDING
    assert f'id="{message.message_id}"'.encode() in path.read_bytes()
    Peer.objects.filter(pk=peer.pk).update(endpoint=acknowledging_peer)
    assert sending.send_due() == 1
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED
