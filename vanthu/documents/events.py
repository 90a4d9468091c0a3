"""Domain events of the core: what happened to documents and deliveries, for the apps above.

The core (documents, workflow) publishes; signatures, exchange, search and reports subscribe in
their `AppConfig.ready()`. The publisher never imports a subscriber, and an event says what
happened, never what to do about it.

Each subscriber chooses when it runs:
- **in the transaction** (`order=`): its writes commit or roll back with the action's, so nothing
  is lost if the process dies after the commit (statistics, outbox rows, signature reports). They
  run in ascending `order`, which is the order in which they lock rows; keep it the same
  everywhere so that concurrent actions never deadlock:
      10 signatures (reports on the files; an arrival check may move a delivery)
      20 reports (the statistics' rows)
      30 exchange (outbox rows: no shared row is locked)
      40 notifications (workflow/notices.py: the in-app notices and the mail outbox of the people
         concerned; it inserts only new rows and locks nothing shared, so it runs last)
  The audit entry is written by the action after publishing, so the chain's head is locked last.
  An action that must also lock a hot row of its own (issuing: the register's number counter)
  takes it with `publish_around`, just before the subscribers that need what it gives (order
  NOTIFICATIONS: the notices show the document's number): the others have written by then, so
  the counter stays locked only for those few writes, the audit entry and the commit. The lock
  order of an issuance is therefore: the document's row, its deliveries, 10–30, the register's
  counter, 40, the audit chain's head (`audit.chain.deferred` holds back any entry a subscriber
  records before the counter, so that the head is never locked before it).
- **on commit** (`on_commit=True`): after the transaction committed, and never if it rolled back
  (anything that talks to the world: mail, another system). A failing on-commit subscriber is
  logged and does not keep the others from running.
- **queued** (`queued=True`): a subscriber that only queues background work (a task's
  `enqueue`: indexing, checking signatures, long-term evidence), through `queue_work`. With the
  database task backend (the default) the task's row is written in the action's transaction, in
  a savepoint: the worker sees it at the commit, a rollback takes it away, a process dying just
  after the commit cannot lose it, and the action pays no commit of its own for it (on
  PostgreSQL each commit waits for the disk: an issuance with two such tasks paid three). With a
  broker the task would be seen before the commit, so it is queued after the commit instead.

Why not Django's signals: they neither order receivers explicitly nor run them on commit, and
both are what these events are for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Lock order of in-transaction subscribers (see the docstring).
SIGNATURES = 10
STATISTICS = 20
OUTBOX = 30
NOTIFICATIONS = 40


@dataclass(frozen=True)
class Subscriber:
    fn: Callable[..., Any]
    order: int | None  # None: on commit, or queued
    name: str
    queued: bool = False
    when: Callable[..., bool] | None = None  # queued only: asked first, so that nothing to queue costs nothing


@dataclass
class DomainEvent:
    """A named event with its payload's keyword arguments documented in `payload`."""

    name: str
    payload: tuple[str, ...]
    subscribers: list[Subscriber] = field(default_factory=list)

    def subscribe(self, fn: Callable[..., Any], *, order: int | None = None, on_commit: bool = False,
                  queued: bool = False, when: Callable[..., bool] | None = None) -> None:
        """Run `fn(**payload)` inside the publishing transaction at `order`, after its commit, or
        (`queued`, for a subscriber that only queues tasks) as `queue_work` decides; a queued
        subscriber's `when(**payload)`, if given, says whether there is anything to queue (a
        savepoint for nothing is two round trips)."""
        if (order is not None) + on_commit + queued != 1:
            raise ValueError(f"{self.name}: give one of order= (in the transaction), on_commit=True or queued=True")
        if when is not None and not queued:
            raise ValueError(f"{self.name}: when= is for queued subscribers")
        name = f"{fn.__module__}.{fn.__qualname__}"
        if any(s.name == name for s in self.subscribers):
            return  # ready() may run twice (tests, reloads): subscribing is idempotent
        self.subscribers.append(Subscriber(fn, order, name, queued, when))
        self.subscribers.sort(key=lambda s: (s.order is None, s.order or 0, s.name))

    def publish(self, **payload: Any) -> None:
        """Inside the action's transaction: run the in-transaction subscribers in order, and
        register the on-commit ones."""
        self._check(payload)
        for sub in self.subscribers:
            self._deliver(sub, payload)

    def publish_around(self, take: Callable[[], Any], *, before: int, **payload: Any) -> None:
        """Publish, calling `take()` (it locks a hot row: a register's counter) after the
        in-transaction subscribers of an order below `before` and the queued ones, and before the
        rest: the hot row stays locked only for what must follow it."""
        self._check(payload)
        early = [s for s in self.subscribers if (s.order is not None and s.order < before) or s.queued]
        for sub in early:
            self._deliver(sub, payload)
        take()
        for sub in self.subscribers:
            if sub not in early:
                self._deliver(sub, payload)

    def _check(self, payload: dict[str, Any]) -> None:
        if set(payload) != set(self.payload):
            raise TypeError(f"{self.name} carries {sorted(self.payload)}, got {sorted(payload)}")
        if not connection.in_atomic_block:
            raise RuntimeError(f"{self.name} must be published inside the action's transaction")

    def _deliver(self, sub: Subscriber, payload: dict[str, Any]) -> None:
        if sub.order is not None:
            sub.fn(**payload)
        elif sub.queued:
            if sub.when is None or sub.when(**payload):
                queue_work(partial(sub.fn, **payload), name=sub.name)
        else:
            transaction.on_commit(partial(_run_after_commit, self.name, sub, payload))


def queue_work(enqueue: Callable[[], Any], *, name: str = "") -> None:
    """Queue background work that must run only if the current transaction commits.

    `enqueue` only enqueues tasks. With the database task backend, and inside a transaction, it
    runs now, in a savepoint (its row commits or rolls back with the action's, see the module's
    docstring); otherwise after the commit. Either way a failure is logged, as a failing
    on-commit subscriber's is, and never undoes the action."""
    if connection.in_atomic_block and _tasks_in_database(settings.TASKS.get("default", {}).get("BACKEND", "")):
        try:
            with transaction.atomic():
                enqueue()
        except Exception:
            log.exception("queueing %s failed", name or enqueue)
        return
    transaction.on_commit(partial(_run_queued, enqueue, name))


def _run_queued(enqueue: Callable[[], Any], name: str) -> None:
    try:
        enqueue()
    except Exception:
        log.exception("queueing %s failed", name or enqueue)


@cache
def _tasks_in_database(backend_path: str) -> bool:
    """Whether the task backend keeps its queue in this installation's default database."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        return issubclass(import_string(backend_path), DatabaseBackend)
    except ImportError:
        return False


def _run_after_commit(event: str, sub: Subscriber, payload: dict[str, Any]) -> None:
    try:
        sub.fn(**payload)
    except Exception:  # one subscriber's failure must not keep the others from running
        log.exception("after %s: subscriber %s failed", event, sub.name)


# --- the events ----------------------------------------------------------------------------------

# A document and its files entered the database: drafted, registered from paper, received from
# a peer. `user` is None when it came from a peer.
document_entered = DomainEvent("document_entered", ("document", "user"))

# Something a reader sees of a document changed (submitted, returned, recipients, revoked…).
document_changed = DomainEvent("document_changed", ("document", "user"))

# A leader approved a document. `signed` is the copy the leader's certificate signed, or None.
document_approved = DomainEvent("document_approved", ("document", "user", "signed"))

# The clerk issued a document: its number is given and a delivery exists for every recipient
# (internal ones at 01, those at a peer at 00). `sealed` is the organisation's sealed copy, or None.
document_issued = DomainEvent("document_issued", ("document", "deliveries", "user", "sealed"))

# Deliveries were created already past issuing: a paper document registered (03), a document
# received from a peer (01).
deliveries_created = DomainEvent("deliveries_created", ("deliveries",))

# A delivery's status moved (one DeliveryEvent appended). `changed` names the delivery's other
# fields written with the move. `user` is None for a move reported by a peer or the system.
delivery_moved = DomainEvent("delivery_moved", ("delivery", "event", "changed"))

# A document was added to, or removed from, what a delivery's handlers work on (workflow).
assignment_changed = DomainEvent("assignment_changed", ("assignment", "delivery", "user"))
# A document was opened to one person of an organisation that holds it (sharing.share_document).
document_shared = DomainEvent("document_shared", ("share", "user"))

ALL = (document_entered, document_changed, document_approved, document_issued, deliveries_created,
       delivery_moved, assignment_changed, document_shared)
