"""The write actions of the load mix and the specialist's list: accept, assign, complete, and
GET /assignments/mine.

They save each change with one statement, refresh the statistics once from the stored fact, and
answer from the rows they locked and wrote instead of reading them again; the list is one plain
statement. These tests pin what that must not change: each answer is exactly what reading the
records afresh gives, the statistics equal a full recomputation, the audit chain verifies with
its actors, and the number of statements stays what makes the actions cheap.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from vanthu.audit.chain import verify
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions as doc_actions
from vanthu.documents.api import brief_out, inbox_item_out, reply_out
from vanthu.documents.models import Delivery, DeliveryEvent
from vanthu.reports import aggregates
from vanthu.security.tests.test_api_hot_path import _as_json, _send
from vanthu.testing import factories as f
from vanthu.workflow import actions as wf
from vanthu.workflow.models import Assignee, Assignment

# The bearer token with its owner and roles is the first statement of every request.
# The statistics take one journal row in the transaction (folded in later by the worker).
ACCEPT_STATEMENTS = 13
ASSIGN_STATEMENTS = 20  # with the handlers' notifications (a notice, its copies, the mail journal)
COMPLETE_STATEMENTS = 15  # with need to know: which of the specialist's organisations widen who sees what
MINE_STATEMENTS = 2


@contextmanager
def _statements():
    """Every statement sent to the database inside the block (the request's own included)."""
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield seen


def _record_as_read(delivery_id: int) -> dict:
    """An incoming record with its current handlers, read afresh through the models."""
    d = Delivery.objects.with_document().get(id=delivery_id)
    who = Assignee.objects.filter(assignment__delivery_id=delivery_id, assignment__is_current=True).select_related("user").order_by("id")
    return _as_json({
        "id": d.id, "status_code": d.status_code, "status_label": d.status_label, "incoming_number": d.incoming_number,
        "deadline": d.deadline, "document": brief_out(d.document), **reply_out(d, document_visible=True),
        "handlers": [{"user_id": a.user_id, "username": a.user.username, "full_name": a.user.get_full_name(), "role": a.role} for a in who],
    })


def _mine_as_read(user) -> list[dict]:
    """The specialist's list as the model query gives it."""
    today = timezone.localdate()
    return _as_json([
        {"delivery_id": a.assignment.delivery_id, "role": a.role, "status_code": a.assignment.delivery.status_code,
         "deadline": a.assignment.deadline, "overdue": bool(a.assignment.deadline and a.assignment.deadline < today),
         "document": brief_out(a.assignment.delivery.document)}
        for a in Assignee.objects.open_for(user)
    ])


def test_accept_assign_complete_answer_what_a_fresh_read_gives(world, api_as):
    b = world.b
    # A handler without a full name is shown by first and last name, as get_full_name does.
    b.specialist2.full_name, b.specialist2.first_name, b.specialist2.last_name = "", "Lan", "Nguyễn Thị"
    b.specialist2.save()
    deliveries = _send(world, 2)
    clerk, leader, spec = api_as(b.clerk), api_as(b.leader), api_as(b.specialist)
    deadline = timezone.localdate() + timedelta(days=3)
    for d in deliveries:
        r = clerk.post(f"/api/v1/inbox/{d.id}/accept")
        assert r.status_code == 200, r.content
        assert r.json() == _as_json(inbox_item_out(Delivery.objects.with_document().get(id=d.id)))
        assert r.json()["incoming_number"] is not None
        r = leader.post(f"/api/v1/incoming/{d.id}/assign", {
            "main_handler_id": b.specialist.id, "co_handler_ids": [b.specialist2.id], "informed_ids": [b.clerk.id],
            "deadline": deadline.isoformat(), "note": "Khẩn trương"})
        assert r.status_code == 200, r.content
        assert r.json() == _record_as_read(d.id)
        assert [h["role"] for h in r.json()["handlers"]] == ["main", "co", "informed"]
        assert r.json()["handlers"][1]["full_name"] == "Lan Nguyễn Thị"
    # A reassignment replaces the handlers; the answer shows only the new ones.
    r = leader.post(f"/api/v1/incoming/{deliveries[1].id}/assign", {"main_handler_id": b.specialist.id})
    assert r.json() == _record_as_read(deliveries[1].id) and len(r.json()["handlers"]) == 1
    r = spec.post(f"/api/v1/incoming/{deliveries[0].id}/start")
    assert r.status_code == 200 and r.json() == _record_as_read(deliveries[0].id)
    for d in deliveries:
        r = spec.post(f"/api/v1/incoming/{d.id}/complete", {"note": "Đã xong"})
        assert r.status_code == 200, r.content
        assert r.json() == _record_as_read(d.id) and r.json()["status_code"] == "06"
        done = Delivery.objects.get(id=d.id)
        assert done.done_at is not None and done.deadline == deadline if d == deliveries[0] else True
        assert Assignment.objects.get(delivery=d, is_current=True).completion_note == "Đã xong"
    # Statistics as a full recomputation gives them; the chain verifies and names its actors.
    assert aggregates.snapshot() == aggregates.expected()
    assert verify().ok
    entries = {e.action: e for e in AuditEntry.objects.filter(action__in=["delivery_accepted", "delivery_assigned", "handling_completed"])}
    assert entries["delivery_accepted"].actor_id == b.clerk.id
    assert entries["delivery_assigned"].actor_id == b.leader.id
    assert entries["handling_completed"].actor_id == b.specialist.id


def test_reject_answers_what_a_fresh_read_gives(world, api_as):
    (d,) = _send(world, 1)
    r = api_as(world.b.clerk).post(f"/api/v1/inbox/{d.id}/reject", {"reason": "Sai nơi nhận"})
    assert r.status_code == 200, r.content
    assert r.json() == _as_json(inbox_item_out(Delivery.objects.with_document().get(id=d.id)))
    assert Delivery.objects.get(id=d.id).reject_reason == "Sai nơi nhận"
    assert aggregates.snapshot() == aggregates.expected()


def test_refused_actions_write_nothing(world, api_as):
    b = world.b
    (d,) = _send(world, 1)
    doc_actions.accept_delivery(d, user=b.clerk)
    on_delivery = AuditEntry.objects.filter(object_type="documents.delivery", object_id=str(d.id))
    before = (DeliveryEvent.objects.count(), on_delivery.count(), Assignment.objects.count())
    # A handler from another organisation: the JSON error, and nothing written.
    r = api_as(b.leader).post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.c.specialist.id})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_handlers"
    # Not the main handler (nothing is assigned yet: a specialist does not even see it), and
    # another organisation's leader.
    r = api_as(b.specialist).post(f"/api/v1/incoming/{d.id}/complete", {"note": "x"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "delivery_not_found"
    r = api_as(b.clerk).post(f"/api/v1/incoming/{d.id}/complete", {"note": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_assigned"
    r = api_as(world.c.leader).post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.c.specialist.id})
    assert r.status_code == 404 and r.json()["error"]["code"] == "delivery_not_found"
    # (Sign-ins and refusals are audited too: count only the delivery's own entries.)
    assert (DeliveryEvent.objects.count(), on_delivery.count(), Assignment.objects.count()) == before
    r = api_as(b.leader).post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": b.specialist.id,
                                                                   "co_handler_ids": [b.specialist2.id]})
    assert r.status_code == 200
    events, audit = DeliveryEvent.objects.count(), on_delivery.count()
    r = api_as(b.specialist2).post(f"/api/v1/incoming/{d.id}/complete", {"note": "x"})  # a co-handler
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_main_handler"
    r = api_as(b.clerk).post(f"/api/v1/inbox/{d.id}/accept")
    assert r.status_code == 409
    assert (DeliveryEvent.objects.count(), on_delivery.count()) == (events, audit)
    assert Delivery.objects.get(id=d.id).status_code == "04"
    assert aggregates.snapshot() == aggregates.expected()


def test_my_assignments_are_what_the_model_query_gives(world, api_as):
    b = world.b
    deliveries = _send(world, 4)
    paper = doc_actions.register_paper_document(
        user=b.clerk, organization=b.org, sender_name="UBND phường Ba Đình", number_symbol="12/UBND",
        issued_date=timezone.localdate(), doc_type="CV", subject="Văn bản giấy", file=f.upload())
    today = timezone.localdate()
    for d in deliveries:
        doc_actions.accept_delivery(d, user=b.clerk)

    wf.assign_handlers(deliveries[0], user=b.leader, main_handler_id=b.specialist.id, deadline=today + timedelta(days=5))
    wf.assign_handlers(deliveries[1], user=b.leader, main_handler_id=b.specialist2.id, co_handler_ids=[b.specialist.id],
                       deadline=today + timedelta(days=1))
    wf.assign_handlers(deliveries[2], user=b.leader, main_handler_id=b.specialist.id)  # no deadline: last
    wf.assign_handlers(deliveries[3], user=b.leader, main_handler_id=b.specialist.id, deadline=today)
    wf.assign_handlers(paper, user=b.leader, main_handler_id=b.specialist.id, informed_ids=[b.specialist2.id])
    # One overdue (a deadline can pass), one done (not listed any more).
    Assignment.objects.filter(delivery=deliveries[3], is_current=True).update(deadline=today - timedelta(days=2))
    wf.complete_handling(Delivery.objects.get(id=deliveries[0].id), user=b.specialist)
    for person in (b.specialist, b.specialist2, b.clerk):
        body = api_as(person).get("/api/v1/assignments/mine").json()
        assert body["items"] == _mine_as_read(person)
        assert body["count"] == len(body["items"])
    mine = api_as(b.specialist).get("/api/v1/assignments/mine").json()["items"]
    assert [i["delivery_id"] for i in mine] == [deliveries[3].id, deliveries[1].id, deliveries[2].id, paper.id]
    assert [i["overdue"] for i in mine] == [True, False, False, False]
    assert mine[-1]["document"]["issuer"] == {"id": None, "code": "", "name": "UBND phường Ba Đình"}


def test_statement_counts_of_the_write_hot_path(world, api_as):
    b = world.b
    deliveries = _send(world, 2)
    clerk, leader, spec = api_as(b.clerk), api_as(b.leader), api_as(b.specialist)
    for d in deliveries:  # the first of each warms what is read once per process
        with _statements() as accept:
            assert clerk.post(f"/api/v1/inbox/{d.id}/accept").status_code == 200
        with _statements() as assign:
            r = leader.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": b.specialist.id, "co_handler_ids": [b.specialist2.id]})
            assert r.status_code == 200
        with _statements() as mine:
            assert spec.get("/api/v1/assignments/mine").status_code == 200
        with _statements() as complete:
            assert spec.post(f"/api/v1/incoming/{d.id}/complete", {"note": "xong"}).status_code == 200
    assert len(accept) == ACCEPT_STATEMENTS, "\n".join(s[:160] for s in accept)
    assert len(assign) == ASSIGN_STATEMENTS, assign
    assert len(complete) == COMPLETE_STATEMENTS, complete
    assert len(mine) == MINE_STATEMENTS, mine
