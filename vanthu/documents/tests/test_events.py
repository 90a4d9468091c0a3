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
    assert _names(events.document_shared) == ["vanthu.workflow.notices.document_shared"]


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


@pytest.mark.django_db(transaction=True)
def test_queued_work_commits_with_the_action_and_vanishes_with_its_rollback(event, django_capture_on_commit_callbacks):
    # The database task queue: the task's row is written in the action's transaction (no commit
    # of its own), so the worker finds it exactly when the action committed, and never otherwise.
    from django_tasks_db.models import DBTaskResult

    from vanthu.search.tasks import index_document

    event.subscribe(lambda value: index_document.enqueue(value), queued=True)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        event.publish(value=41)
        assert DBTaskResult.objects.filter(task_path__endswith="index_document").count() == 1
    assert callbacks == []  # nothing left for after the commit
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [[41]]

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event.publish(value=42)
        1 / 0  # noqa: B018 — the action fails after publishing
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [[41]]


@pytest.mark.django_db
def test_queued_work_waits_for_the_commit_with_a_queue_outside_the_database(event, settings, django_capture_on_commit_callbacks, caplog):
    # A broker would hand the task to a worker at once: then it is queued only after the commit,
    # and a failure to queue is logged without undoing the action.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "slow"]}}
    seen: list[int] = []

    def broken(value):
        raise RuntimeError("broker unreachable")

    event.subscribe(lambda value: seen.append(value), queued=True)
    event.subscribe(broken, queued=True)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.publish(value=7)
        assert seen == []
    assert seen == [7]
    assert "broker unreachable" in caplog.text


@pytest.mark.django_db
def test_a_hot_lock_is_taken_after_the_early_subscribers_and_before_the_rest(event):
    seen: list[str] = []

    def notices(value):
        seen.append("notices")

    def statistics(value):
        seen.append("statistics")

    event.subscribe(notices, order=events.NOTIFICATIONS)  # named apart: one name subscribes once
    event.subscribe(statistics, order=events.STATISTICS)
    with transaction.atomic():
        event.publish_around(lambda: seen.append("counter"), before=events.NOTIFICATIONS, value=1)
    assert seen == ["statistics", "counter", "notices"]


@pytest.mark.django_db
def test_a_queued_subscriber_with_nothing_to_queue_costs_no_query(event, django_assert_num_queries):
    seen = []
    event.subscribe(lambda value: seen.append(value), queued=True, when=lambda value: value > 1)
    with transaction.atomic():
        with django_assert_num_queries(0):
            event.publish(value=1)  # not even a savepoint
        event.publish(value=2)
    assert seen == [2]
