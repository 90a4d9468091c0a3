"""The core's domain events: in-transaction subscribers in lock order, on-commit ones after it."""

from __future__ import annotations

import pytest
from django.db import transaction

from vanthu.documents import events
from vanthu.documents.events import DomainEvent


def _names(event: DomainEvent) -> list[str]:
    return [s.name for s in event.subscribers if s.order is not None]


def test_issuing_locks_signatures_then_statistics_then_outbox():
    # The order concurrent issues, accepts and arrival checks lock rows in: a reversal would let
    # two of them wait for each other. Signatures first also makes the statistics count the
    # sealed copy's verdict (tested with real signatures in signatures/tests).
    assert _names(events.document_issued) == [
        "vanthu.signatures.subscribers.document_issued",
        "vanthu.reports.aggregates.document_issued",
        "vanthu.exchange.outbox.document_issued",
        "vanthu.workflow.notices.document_issued",  # last: it inserts only new rows
    ]
    assert _names(events.delivery_moved) == [
        "vanthu.reports.aggregates.delivery_moved",
        "vanthu.exchange.outbox.delivery_moved",
        "vanthu.direction.peer.delivery_moved",  # a peer's report moves the task that travelled with it
        "vanthu.membership.peer_transfers.delivery_moved",  # and answers the transfer whose letter it is
    ]
    assert _names(events.deliveries_created) == ["vanthu.reports.aggregates.deliveries_changed",
                                                 "vanthu.workflow.notices.deliveries_created"]
    assert _names(events.assignment_changed) == ["vanthu.workflow.notices.assignment_changed"]


def test_slow_work_follows_the_commit_not_the_transaction():
    on_commit = {e.name: [s.name for s in e.subscribers if s.order is None] for e in events.ALL}
    assert "vanthu.search.tasks.queue_indexing" in on_commit["document_issued"]
    assert set(on_commit["document_entered"]) == {"vanthu.search.tasks.queue_indexing", "vanthu.signatures.subscribers.document_entered",
                                                  "vanthu.archive.subscribers.document_entered"}


@pytest.fixture
def event():
    return DomainEvent("tested", ("value",))


@pytest.mark.django_db
def test_subscribers_run_in_order_inside_and_after_commit_never_after_rollback(event, django_capture_on_commit_callbacks):
    seen: list[str] = []

    def late(value):
        seen.append(f"late {value}")

    def second(value):
        seen.append(f"second {value}")

    def first(value):
        seen.append(f"first {value}")

    event.subscribe(late, on_commit=True)
    event.subscribe(second, order=20)
    event.subscribe(first, order=10)
    event.subscribe(first, order=10)  # ready() run twice subscribes once
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event.publish(value=1)
            assert seen == ["first 1", "second 1"]
    assert seen == ["first 1", "second 1", "late 1"]

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            event.publish(value=2)
            1 / 0  # noqa: B018 — the action fails after publishing
    assert callbacks == [] and "late 2" not in seen


@pytest.mark.django_db
def test_a_failing_after_commit_subscriber_does_not_stop_the_others(event, django_capture_on_commit_callbacks, caplog):
    seen = []

    def broken(value):
        raise RuntimeError("mail server down")

    def indexing(value):
        seen.append(value)

    event.subscribe(broken, on_commit=True)
    event.subscribe(indexing, on_commit=True)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.publish(value=3)
    assert seen == [3]
    assert "mail server down" in caplog.text


def test_an_event_is_published_inside_the_action(event):
    with pytest.raises(RuntimeError):
        event.publish(value=1)  # outside a transaction: in-transaction subscribers would run alone
    with pytest.raises(ValueError):
        event.subscribe(print)  # neither in the transaction nor after it


@pytest.mark.django_db
def test_an_event_carries_its_whole_payload(event):
    with pytest.raises(TypeError), transaction.atomic():
        event.publish(other=1)
