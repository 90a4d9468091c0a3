"""The staged inbox (inbox.py): the door acknowledges a package once it is stored and queued, and
the worker checks it. Nothing acknowledged is lost, nothing is recorded twice, and a refusal
reaches the sender unless the document is already here."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from vanthu.documents import storage
from vanthu.documents.models import Document
from vanthu.exchange import inbox
from vanthu.exchange.models import InboundMessage, OutboxMessage, StagedPackage
from vanthu.exchange.tests.peers import as_the_peer_posts, run_worker
from vanthu.exchange.tests.test_exchange_db import _incoming

INBOX = "/exchange/inbox"


def _post(client, body: bytes):
    r = client.post(INBOX, data=body, content_type="application/xml", **as_the_peer_posts(body))
    assert r.status_code == 200 and r.json()["status"] == "staged", r.content[:300]
    return r.json()["staged_id"]


def test_the_acknowledgement_writes_the_row_its_task_and_the_body_and_nothing_else(transactional_db, peer_world, client):
    staged_id = _post(client, _incoming(peer_world))
    row = StagedPackage.objects.get(pk=staged_id)
    assert row.state == "staged" and storage.exists(row.body_sha256)
    tasks = DBTaskResult.objects.filter(task_path="vanthu.exchange.inbox.receive_staged")
    assert [t.args_kwargs["args"] for t in tasks] == [[staged_id]]
    assert not Document.objects.filter(source="peer").exists() and not InboundMessage.objects.exists()
    run_worker()
    row.refresh_from_db()
    assert row.state == "accepted" and row.delivery.document.source == "peer" and row.processing_ms is not None


def test_a_package_posted_twice_is_acknowledged_twice_and_recorded_once(transactional_db, peer_world, client):
    body = _incoming(peer_world)
    first, second = _post(client, body), _post(client, body)
    run_worker()
    states = dict(StagedPackage.objects.values_list("id", "state"))
    assert states == {first: "accepted", second: "duplicate"}
    assert Document.objects.filter(source="peer").count() == 1 and InboundMessage.objects.count() == 1
    # The same bytes: the accepted package's body stays although its duplicate is done with.
    assert storage.exists(StagedPackage.objects.get(pk=first).body_sha256)


def test_a_broken_copy_of_a_document_already_here_is_refused_without_a_status(transactional_db, peer_world, client):
    body = _incoming(peer_world)
    _post(client, body)
    run_worker()
    i = body.index(b"<edXML:Subject>") + len(b"<edXML:Subject>")
    broken = _post(client, body[:i] + b"X" + body[i + 1:])
    run_worker()
    row = StagedPackage.objects.get(pk=broken)
    assert (row.state, row.code) == ("refused", "bad_signature") and row.document_id_text
    assert not OutboxMessage.objects.filter(kind="status").exists()  # the sender's row stays as it is


def test_a_package_whose_task_was_lost_is_picked_up_when_a_worker_starts(transactional_db, peer_world, client):
    staged_id = _post(client, _incoming(peer_world))
    DBTaskResult.objects.all().delete()  # as with a broker that lost it after the commit
    assert inbox.pick_up() == 1
    run_worker()
    assert StagedPackage.objects.get(pk=staged_id).state == "accepted"
    assert inbox.pick_up() == 0
