"""Numbers are gapless and unique per register, under real concurrency, on both databases.

These tests use real threads, each with its own database connection, against a database the
threads share: PostgreSQL, or the file-based SQLite test database (vanthu.testing.env sets
VANTHU_TEST_SQLITE_FILE). They commit for real (transactional tests), so a rolled-back
issuance is a real rollback, not a savepoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.audit.chain import verify
from vanthu.documents import actions
from vanthu.documents.models import Delivery, DocStatus, Document, RegisterCounter
from vanthu.errors import InvalidState
from vanthu.testing import factories as f

THREADS = 4
PER_THREAD = 10


def _needs_shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("threads cannot share an in-memory SQLite database: run with VANTHU_TEST_SQLITE_FILE=1")


def run_in_threads(work: list[list[int]], do: Callable[[int], object]) -> list[object]:
    """Run `do(item)` for each chunk of items in its own thread, all starting together.

    Returns what each call returned; re-raises the first exception a thread met.
    """
    barrier = threading.Barrier(len(work))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(items: list[int]) -> None:
        try:
            barrier.wait(timeout=60)
            for item in items:
                out = do(item)
                with lock:
                    results.append(out)
        except BaseException as exc:  # reported to the test below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection; PG must see them go

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def _approved(world, n: int, *, doc_type: str = "CV", recipients=None) -> list[Document]:
    a = world.a
    docs = []
    for i in range(n):
        doc = f.draft(a.org, a.specialist, recipients or [world.b.org], doc_type=doc_type, subject=f"Công văn số thứ tự {i + 1}")
        actions.submit_document(doc, user=a.specialist)
        actions.approve_document(doc, user=a.leader)
        docs.append(doc)
    return docs


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuance_gives_numbers_one_to_forty_without_gap_or_repeat(world):
    _needs_shared_database()
    docs = _approved(world, THREADS * PER_THREAD)
    clerk_id = world.a.clerk.id
    ids = [d.id for d in docs]

    def issue(doc_id: int) -> int:
        # Each thread loads its own user and document, as separate requests would.
        clerk = User.objects.get(pk=clerk_id)
        return actions.issue_document(Document.objects.get(pk=doc_id), user=clerk).number

    numbers = run_in_threads([ids[i::THREADS] for i in range(THREADS)], issue)

    assert sorted(numbers) == list(range(1, THREADS * PER_THREAD + 1))
    stored = sorted(Document.objects.filter(issuer=world.a.org, status=DocStatus.ISSUED).values_list("number", flat=True))
    assert stored == list(range(1, THREADS * PER_THREAD + 1))
    symbols = set(Document.objects.filter(issuer=world.a.org).values_list("symbol", flat=True))
    assert len(symbols) == THREADS * PER_THREAD
    assert RegisterCounter.objects.get(organization=world.a.org).last_number == THREADS * PER_THREAD
    # Every issuance reached its recipient exactly once, and the audit chain kept one order.
    assert Delivery.objects.filter(document_id__in=ids).count() == THREADS * PER_THREAD
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuance_in_two_registers_keeps_each_series_gapless(world):
    _needs_shared_database()
    cv = _approved(world, 10, doc_type="CV")
    tb = _approved(world, 10, doc_type="TB")
    clerk_id = world.a.clerk.id
    mixed = [d.id for pair in zip(cv, tb, strict=True) for d in pair]

    def issue(doc_id: int) -> str:
        return actions.issue_document(Document.objects.get(pk=doc_id), user=User.objects.get(pk=clerk_id)).symbol

    symbols = run_in_threads([mixed[i::THREADS] for i in range(THREADS)], issue)
    assert sorted(s for s in symbols if "-CV/" in s) == [f"{n:02d}-CV/ĐUK" for n in range(1, 11)]
    assert sorted(s for s in symbols if "-TB/" in s) == [f"{n:02d}-TB/ĐUK" for n in range(1, 11)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptance_gives_incoming_numbers_per_recipient_without_gap(world):
    _needs_shared_database()
    a = world.a
    docs = [
        f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org, world.c.org])
        for _ in range(12)
    ]
    deliveries = list(Delivery.objects.filter(document__in=docs).values_list("id", "recipient_id"))
    clerks = {world.b.org.id: world.b.clerk.id, world.c.org.id: world.c.clerk.id}
    recipient_of = dict(deliveries)
    ids = [d for d, _ in deliveries]

    def accept(delivery_id: int) -> int:
        clerk = User.objects.get(pk=clerks[recipient_of[delivery_id]])
        return actions.accept_delivery(Delivery.objects.get(pk=delivery_id), user=clerk).incoming_number

    run_in_threads([ids[i::THREADS] for i in range(THREADS)], accept)

    for org in (world.b.org, world.c.org):
        got = sorted(Delivery.objects.filter(recipient=org).values_list("incoming_number", flat=True))
        assert got == list(range(1, 13)), org.name


@pytest.mark.django_db(transaction=True)
def test_paper_registration_and_electronic_acceptance_share_one_incoming_series(world):
    _needs_shared_database()
    a, b = world.a, world.b
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org]) for _ in range(6)]
    electronic = list(Delivery.objects.filter(document__in=docs).values_list("id", flat=True))
    clerk_id = b.clerk.id
    pdf = f.pdf_bytes("Công văn giấy của Sở Nội vụ")
    # Positive items accept an electronic delivery; negative ones register a paper document.
    work = electronic + [-i for i in range(1, 7)]

    def act(item: int) -> int:
        clerk = User.objects.get(pk=clerk_id)
        if item > 0:
            return actions.accept_delivery(Delivery.objects.get(pk=item), user=clerk).incoming_number
        return actions.register_paper_document(
            user=clerk, organization=b.org, sender_name="Sở Nội vụ Hà Nội", number_symbol=f"{-item}/SNV-VP",
            issued_date=timezone.localdate(), doc_type="CV", subject="Về việc tuyển dụng công chức",
            file=f.upload("scan.pdf", pdf),
        ).incoming_number

    numbers = run_in_threads([work[i::THREADS] for i in range(THREADS)], act)
    assert sorted(numbers) == list(range(1, 13))
    assert Delivery.objects.filter(recipient=b.org, source="paper").count() == 6


@pytest.mark.django_db(transaction=True)
def test_incoming_numbers_restart_each_year_per_recipient(world, monkeypatch):
    a, b = world.a, world.b
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org, world.c.org]) for _ in range(3)]
    d1, d2, d3 = (f.delivery_to(d, b.org) for d in docs)
    assert actions.accept_delivery(d1, user=b.clerk).incoming_number == 1
    assert actions.accept_delivery(d2, user=b.clerk).incoming_number == 2
    # c keeps its own series.
    assert actions.accept_delivery(f.delivery_to(docs[0], world.c.org), user=world.c.clerk).incoming_number == 1

    next_year = timezone.localdate().year + 1
    new_year = timezone.make_aware(datetime(next_year, 1, 1, 8, 0)) + timedelta(minutes=1)
    monkeypatch.setattr(actions, "_now", lambda: new_year)
    accepted = actions.accept_delivery(d3, user=b.clerk)
    assert accepted.incoming_number == 1
    assert accepted.incoming_key == f"in:{next_year}"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_issuance_leaves_no_gap(world, monkeypatch):
    a = world.a
    first, failing, third = _approved(world, 3)
    assert actions.issue_document(first, user=a.clerk).number == 1

    real_record = actions.record

    def crash_after_numbering(action, **kw):
        if action == "document_issued":
            raise RuntimeError("the server died after the number was taken")
        return real_record(action, **kw)

    monkeypatch.setattr(actions, "record", crash_after_numbering)
    with pytest.raises(RuntimeError):
        actions.issue_document(failing, user=a.clerk)
    monkeypatch.undo()

    failing.refresh_from_db()
    assert failing.status == DocStatus.APPROVED and failing.number is None and failing.symbol == ""
    assert not Delivery.objects.filter(document=failing).exists()
    assert RegisterCounter.objects.get(organization=a.org).last_number == 1

    assert actions.issue_document(third, user=a.clerk).number == 2
    assert actions.issue_document(failing, user=a.clerk).number == 3
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_acceptance_gives_its_incoming_number_to_the_next(world, monkeypatch):
    a, b = world.a, world.b
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org]) for _ in range(2)]
    d1, d2 = (f.delivery_to(d, b.org) for d in docs)
    real_record = actions.record

    def crash(action, **kw):
        if action == "delivery_accepted":
            raise RuntimeError("crash after the incoming number was taken")
        return real_record(action, **kw)

    monkeypatch.setattr(actions, "record", crash)
    with pytest.raises(RuntimeError):
        actions.accept_delivery(d1, user=b.clerk)
    monkeypatch.undo()
    d1.refresh_from_db()
    assert d1.status_code == "01" and d1.incoming_number is None
    assert actions.accept_delivery(d2, user=b.clerk).incoming_number == 1
    assert actions.accept_delivery(d1, user=b.clerk).incoming_number == 2


@pytest.mark.django_db(transaction=True)
def test_one_document_issued_by_several_clerks_at_once_gets_one_number(world):
    _needs_shared_database()
    doc = _approved(world, 1)[0]
    second_clerk = f.make_user(world.a.org, "clerk")
    clerk_ids = [world.a.clerk.id, second_clerk.id, world.a.clerk.id, second_clerk.id]

    def issue(clerk_id: int) -> str:
        try:
            return str(actions.issue_document(Document.objects.get(pk=doc.id), user=User.objects.get(pk=clerk_id)).number)
        except InvalidState:
            return "refused"

    outcomes = run_in_threads([[c] for c in clerk_ids], issue)
    assert sorted(outcomes) == ["1", "refused", "refused", "refused"]
    assert Delivery.objects.filter(document=doc).count() == 1
    assert RegisterCounter.objects.get(organization=world.a.org).last_number == 1


@pytest.mark.django_db(transaction=True)
def test_one_delivery_accepted_twice_at_once_gets_one_incoming_number(world):
    _needs_shared_database()
    a, b = world.a, world.b
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org])
    d = f.delivery_to(doc, b.org)

    def accept(_: int) -> str:
        try:
            return str(actions.accept_delivery(Delivery.objects.get(pk=d.id), user=User.objects.get(pk=b.clerk.id)).incoming_number)
        except InvalidState:
            return "refused"

    assert sorted(run_in_threads([[i] for i in range(THREADS)], accept)) == ["1", "refused", "refused", "refused"]
    assert RegisterCounter.objects.get(organization=b.org, key__startswith="in:").last_number == 1


@pytest.mark.django_db(transaction=True)
def test_issuing_accepting_and_registering_at_once_never_deadlock(world):
    """The sender issues new documents while the recipient accepts earlier ones and registers
    paper: every action touches both organisations' counters and statistics, in one order."""
    _needs_shared_database()
    a, b = world.a, world.b
    earlier = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org]) for _ in range(8)]
    to_accept = list(Delivery.objects.filter(document__in=earlier).values_list("id", flat=True))
    to_issue = [d.id for d in _approved(world, 8)]
    pdf = f.pdf_bytes("Văn bản giấy đến cùng lúc")
    work = [("issue", i) for i in to_issue] + [("accept", i) for i in to_accept] + [("paper", i) for i in range(4)]
    jobs = list(range(len(work)))

    def act(job: int) -> tuple[str, int]:
        kind, item = work[job]
        if kind == "issue":
            return kind, actions.issue_document(Document.objects.get(pk=item), user=User.objects.get(pk=a.clerk.id)).number
        clerk = User.objects.get(pk=b.clerk.id)
        if kind == "accept":
            return kind, actions.accept_delivery(Delivery.objects.get(pk=item), user=clerk).incoming_number
        return kind, actions.register_paper_document(
            user=clerk, organization=b.org, sender_name="Sở Công Thương", number_symbol=f"{item}/SCT",
            issued_date=timezone.localdate(), doc_type="CV", subject="Về việc bình ổn giá", file=f.upload("p.pdf", pdf),
        ).incoming_number

    results = run_in_threads([jobs[i::THREADS] for i in range(THREADS)], act)
    outgoing = sorted(n for kind, n in results if kind == "issue")
    incoming = sorted(n for kind, n in results if kind != "issue")
    assert outgoing == list(range(9, 17))
    assert incoming == list(range(1, 13))
    assert verify().ok
