"""Handling incoming documents: a leader assigns, the main handler starts and completes.

Every step shows up for the sender as a national status code (04, 05, 06) with its history.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vanthu.audit.chain import verify
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Delivery, DeliveryEvent
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.errors import Unprocessable
from vanthu.testing import factories as f
from vanthu.workflow import actions
from vanthu.workflow.models import Assignee, Assignment


@pytest.fixture
def record(world):
    """An incoming record at b, accepted and waiting for a leader."""
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    return doc_actions.accept_delivery(f.delivery_to(doc, world.b.org), user=world.b.clerk)


def _assign(api, d, **payload):
    return api.post(f"/api/v1/incoming/{d.id}/assign", payload)


def test_assignment_names_the_main_handler_co_handlers_and_people_informed(world, api_as, record):
    b = world.b
    deadline = timezone.localdate() + timedelta(days=7)
    r = _assign(api_as(b.leader), record, main_handler_id=b.specialist.id, co_handler_ids=[b.specialist2.id, b.specialist.id],
                informed_ids=[b.clerk.id, b.specialist2.id], deadline=deadline.isoformat(), note="Đồng chí chủ trì tham mưu")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status_code"] == "04" and body["deadline"] == deadline.isoformat()
    # The main handler is not also a co-handler; a co-handler is not also informed.
    assert sorted((h["user_id"], h["role"]) for h in body["handlers"]) == sorted(
        [(b.specialist.id, "main"), (b.specialist2.id, "co"), (b.clerk.id, "informed")])
    assert AuditEntry.objects.filter(action="delivery_assigned", object_id=str(record.id)).count() == 1


def test_the_deadline_defaults_to_the_documents_own(world, api_as):
    a, b = world.a, world.b
    doc = f.draft(a.org, a.specialist, [b.org])
    doc.due_date = timezone.localdate() + timedelta(days=10)
    doc.save()
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.approve_document(doc, user=a.leader)
    doc_actions.issue_document(doc, user=a.clerk)
    d = doc_actions.accept_delivery(f.delivery_to(doc, b.org), user=b.clerk)
    body = _assign(api_as(b.leader), d, main_handler_id=b.specialist.id).json()
    assert body["deadline"] == doc.due_date.isoformat()


def test_reassignment_replaces_the_current_assignment(world, api_as, record):
    b = world.b
    leader = api_as(b.leader)
    _assign(leader, record, main_handler_id=b.specialist.id)
    r = _assign(leader, record, main_handler_id=b.specialist2.id, note="Chuyển đồng chí khác chủ trì")
    assert r.status_code == 200, r.content
    assert [(h["user_id"], h["role"]) for h in r.json()["handlers"]] == [(b.specialist2.id, "main")]
    assert Assignment.objects.filter(delivery=record).count() == 2
    assert Assignment.objects.filter(delivery=record, is_current=True).count() == 1
    # The first handler lost the right to report progress, and (need to know) the record itself.
    assert_error(api_as(b.specialist).post(f"/api/v1/incoming/{record.id}/start"), 404, "delivery_not_found")
    assert api_as(b.specialist2).post(f"/api/v1/incoming/{record.id}/start").json()["status_code"] == "05"


def test_a_record_in_progress_can_be_reassigned_and_completed_by_the_new_handler(world, api_as, record):
    b = world.b
    leader = api_as(b.leader)
    _assign(leader, record, main_handler_id=b.specialist.id)
    api_as(b.specialist).post(f"/api/v1/incoming/{record.id}/start")
    assert _assign(leader, record, main_handler_id=b.specialist2.id).json()["status_code"] == "04"
    done = api_as(b.specialist2).post(f"/api/v1/incoming/{record.id}/complete", {"note": "Đã trình lãnh đạo ký văn bản trả lời"})
    assert done.json()["status_code"] == "06"
    record.refresh_from_db()
    assert record.done_at is not None
    current = Assignment.objects.get(delivery=record, is_current=True)
    assert current.completed_at is not None and current.completion_note.startswith("Đã trình")


def test_the_sender_sees_each_step_with_who_did_it(world, api_as, record):
    b = world.b
    _assign(api_as(b.leader), record, main_handler_id=b.specialist.id)
    spec = api_as(b.specialist)
    spec.post(f"/api/v1/incoming/{record.id}/start")
    spec.post(f"/api/v1/incoming/{record.id}/complete", {"note": "Hoàn thành"})
    rows = api_as(world.a.clerk).get(f"/api/v1/documents/{record.document_id}/deliveries").json()["items"]
    history = rows[0]["history"]
    assert [h["status_code"] for h in history] == ["01", "03", "04", "05", "06"]
    assert history[2]["by"] == b.leader.get_full_name()
    assert history[4]["by"] == b.specialist.get_full_name() and history[4]["note"] == "Hoàn thành"


def test_my_assignments_lists_open_work_by_deadline_with_overdue_flag(world, api_as):
    a, b = world.a, world.b
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org], subject=f"Về việc số {i}") for i in range(3)]
    records = [doc_actions.accept_delivery(f.delivery_to(d, b.org), user=b.clerk) for d in docs]
    today = timezone.localdate()
    actions.assign_handlers(records[0], user=b.leader, main_handler_id=b.specialist.id, deadline=today + timedelta(days=5))
    actions.assign_handlers(records[1], user=b.leader, main_handler_id=b.specialist2.id, co_handler_ids=[b.specialist.id], deadline=today + timedelta(days=1))
    actions.assign_handlers(records[2], user=b.leader, main_handler_id=b.specialist.id)
    # A deadline that has passed since assignment.
    Assignment.objects.filter(delivery=records[2]).update(deadline=today - timedelta(days=2))

    mine = api_as(b.specialist).get("/api/v1/assignments/mine").json()
    assert [(i["delivery_id"], i["role"], i["overdue"]) for i in mine["items"]] == [
        (records[2].id, "main", True), (records[1].id, "co", False), (records[0].id, "main", False),
    ]
    # Finished work leaves the list.
    actions.complete_handling(records[0], user=b.specialist, note="Xong")
    mine = api_as(b.specialist).get("/api/v1/assignments/mine").json()
    assert records[0].id not in {i["delivery_id"] for i in mine["items"]}
    assert api_as(world.c.specialist).get("/api/v1/assignments/mine").json() == {"items": [], "count": 0}


def test_paper_records_are_handled_like_electronic_ones(world, api_as):
    b = world.b
    d = doc_actions.register_paper_document(
        user=b.clerk, organization=b.org, sender_name="Ủy ban nhân dân quận Ba Đình", number_symbol="45/UBND-VP",
        issued_date=timezone.localdate(), doc_type="CV", subject="Về việc phối hợp tổ chức hội nghị",
        file=f.upload("giay.pdf"),
    )
    assert d.status_code == "03" and d.incoming_number == 1
    r = _assign(api_as(b.leader), d, main_handler_id=b.specialist.id)
    assert r.status_code == 200 and r.json()["status_code"] == "04"
    assert api_as(b.specialist).post(f"/api/v1/incoming/{d.id}/complete", {}).json()["status_code"] == "06"


def test_every_handling_step_is_one_event_and_one_audit_entry(world, record):
    b = world.b
    events, audit = DeliveryEvent.objects.count(), AuditEntry.objects.count()
    actions.assign_handlers(record, user=b.leader, main_handler_id=b.specialist.id, informed_ids=[b.clerk.id])
    actions.start_handling(record, user=b.specialist)
    actions.complete_handling(record, user=b.specialist, note="Xong")
    assert DeliveryEvent.objects.count() == events + 3
    assert AuditEntry.objects.count() == audit + 3
    assert list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:3]) == [
        "handling_completed", "handling_started", "delivery_assigned"]
    assert verify().ok


def test_a_refused_assignment_leaves_the_previous_one_current(world, record):
    b = world.b
    actions.assign_handlers(record, user=b.leader, main_handler_id=b.specialist.id)

    with pytest.raises(Unprocessable):
        actions.assign_handlers(Delivery.objects.get(pk=record.pk), user=b.leader, main_handler_id=world.c.specialist.id)
    current = Assignment.objects.get(delivery=record, is_current=True)
    assert list(Assignee.objects.filter(assignment=current).values_list("user_id", flat=True)) == [b.specialist.id]
