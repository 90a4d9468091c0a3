"""Who may do what, and when: roles (403), states (409), other organisations (404), sign-in (401).

Not found and not allowed look alike from outside. That a person of an unrelated, a parent or a
child organisation reaches nothing through any endpoint, whatever roles they hold at home, is
tests/isolation/test_api_isolation.py (generated from the API's schema); here, the sender, the
recipients and one recipient and another, who do share documents (ARCHITECTURE invariant 4).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vanthu.accounts.models import ApiToken
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Delivery, DeliveryEvent, Document
from vanthu.documents.sharing import share_document
from vanthu.documents.tests.test_bad_input import assert_error, paper_form, pdf_upload
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers

# --- helpers -----------------------------------------------------------------------------------


def issued_doc(world, *, subject: str = "Về việc sơ kết 6 tháng đầu năm 2026"):
    a = world.a
    return f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk,
                    recipients=[world.b.org, world.c.org], subject=subject)


def draft_doc(world, text: str = "Dự thảo chưa trình"):
    a = world.a
    return actions.create_draft(
        user=a.specialist, organization=a.org, doc_type="CV", subject="Về việc dự thảo quy chế làm việc",
        recipient_ids=[world.b.org.id], main_file=f.upload("duthao.pdf", f.pdf_bytes(text)),
    )


def assigned(world, delivery):
    b = world.b
    actions.accept_delivery(delivery, user=b.clerk)

    assign_handlers(Delivery.objects.get(pk=delivery.pk), user=b.leader, main_handler_id=b.specialist.id,
                    co_handler_ids=[b.specialist2.id], informed_ids=[b.clerk.id])
    return Delivery.objects.get(pk=delivery.pk)


class NoWrites:
    """Nothing a refused request could write was written."""

    def __enter__(self):
        self.before = self._counts()
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            assert self._counts() == self.before

    @staticmethod
    def _counts():
        return (Document.objects.count(), Delivery.objects.count(), DeliveryEvent.objects.count(),
                AuditEntry.objects.exclude(action="permission_denied").count(), list(Delivery.objects.order_by("id").values_list("status_code", flat=True)),
                list(Document.objects.order_by("id").values_list("status", flat=True)))


# --- wrong state: 409 ----------------------------------------------------------------------------

def test_a_draft_cannot_be_issued_or_approved_before_submission(world, api_as):
    doc = draft_doc(world)
    clerk, leader = api_as(world.a.clerk), api_as(world.a.leader)
    with NoWrites():
        err = assert_error(clerk.post(f"/api/v1/documents/{doc.id}/issue"), 409, "invalid_document_status")
        assert err["details"]["status"] == "draft"
        assert_error(leader.post(f"/api/v1/documents/{doc.id}/approve"), 409, "invalid_document_status")
        assert_error(leader.post(f"/api/v1/documents/{doc.id}/return", {"note": "Sửa lại"}), 409)


def test_approving_twice_and_submitting_twice_are_409(world, api_as):
    doc = draft_doc(world)
    spec, leader = api_as(world.a.specialist), api_as(world.a.leader)
    assert spec.post(f"/api/v1/documents/{doc.id}/submit").status_code == 200
    with NoWrites():
        assert_error(spec.post(f"/api/v1/documents/{doc.id}/submit"), 409)
    assert leader.post(f"/api/v1/documents/{doc.id}/approve").status_code == 200
    with NoWrites():
        assert_error(leader.post(f"/api/v1/documents/{doc.id}/approve"), 409, "invalid_document_status")


def test_an_issued_document_cannot_be_issued_again_nor_its_recipients_changed(world, api_as):
    doc = issued_doc(world)
    clerk, spec = api_as(world.a.clerk), api_as(world.a.specialist)
    with NoWrites():
        assert_error(clerk.post(f"/api/v1/documents/{doc.id}/issue"), 409)
        assert_error(spec.put(f"/api/v1/documents/{doc.id}/recipients", {"recipient_ids": [world.outsider.org.id]}), 409)
        assert_error(spec.post(f"/api/v1/documents/{doc.id}/submit"), 409)
    assert Delivery.objects.filter(document=doc).count() == 2


def test_issuing_without_recipients_is_refused(world, api_as):
    a = world.a
    doc = f.draft(a.org, a.specialist, [])
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    clerk = api_as(a.clerk)
    with NoWrites():
        assert_error(clerk.post(f"/api/v1/documents/{doc.id}/issue"), 422, "recipients_required")
    doc.refresh_from_db()
    assert doc.number is None


def test_accepting_twice_and_rejecting_after_acceptance_are_409(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    clerk = api_as(world.b.clerk)
    r = clerk.post(f"/api/v1/inbox/{d.id}/accept")
    assert r.status_code == 200 and r.json()["incoming_number"] == 1
    with NoWrites():
        err = assert_error(clerk.post(f"/api/v1/inbox/{d.id}/accept"), 409, "invalid_delivery_status")
        assert err["details"]["status_code"] == "03"
        assert_error(clerk.post(f"/api/v1/inbox/{d.id}/reject", {"reason": "Gửi nhầm"}), 409, "invalid_delivery_status")
    d.refresh_from_db()
    assert d.incoming_number == 1


def test_a_rejected_delivery_cannot_be_accepted_or_assigned(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    clerk, leader = api_as(world.b.clerk), api_as(world.b.leader)
    r = clerk.post(f"/api/v1/inbox/{d.id}/reject", {"reason": "Văn bản không thuộc thẩm quyền"})
    assert r.status_code == 200 and r.json()["status_code"] == "02"
    with NoWrites():
        assert_error(clerk.post(f"/api/v1/inbox/{d.id}/accept"), 409)
        assert_error(leader.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.b.specialist.id}), 409)
    d.refresh_from_db()
    assert d.incoming_number is None and d.reject_reason == "Văn bản không thuộc thẩm quyền"


def test_an_arrived_delivery_cannot_be_assigned_before_acceptance(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    leader = api_as(world.b.leader)
    with NoWrites():
        assert_error(leader.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.b.specialist.id}), 409, "invalid_delivery_status")


def test_starting_before_assignment_is_409(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    actions.accept_delivery(d, user=world.b.clerk)
    # A specialist does not even see a record not assigned to them (need to know): 404. The clerk
    # sees it, and is told it is not theirs to handle.
    spec, clerk = api_as(world.b.specialist), api_as(world.b.clerk)
    with NoWrites():
        assert_error(spec.post(f"/api/v1/incoming/{d.id}/start"), 404, "delivery_not_found")
        assert_error(clerk.post(f"/api/v1/incoming/{d.id}/start"), 409, "not_assigned")
        assert_error(clerk.post(f"/api/v1/incoming/{d.id}/complete", {"note": "xong"}), 409, "not_assigned")


def test_completing_a_done_record_and_starting_it_again_are_409(world, api_as):
    d = assigned(world, f.delivery_to(issued_doc(world), world.b.org))
    spec, leader = api_as(world.b.specialist), api_as(world.b.leader)
    assert spec.post(f"/api/v1/incoming/{d.id}/start").json()["status_code"] == "05"
    with NoWrites():
        assert_error(spec.post(f"/api/v1/incoming/{d.id}/start"), 409)
    assert spec.post(f"/api/v1/incoming/{d.id}/complete", {"note": "Đã xong"}).json()["status_code"] == "06"
    with NoWrites():
        assert_error(spec.post(f"/api/v1/incoming/{d.id}/complete", {"note": "Lần nữa"}), 409, "invalid_delivery_status")
        assert_error(spec.post(f"/api/v1/incoming/{d.id}/start"), 409)
        assert_error(leader.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.b.specialist2.id}), 409)


# --- wrong role: 403 -----------------------------------------------------------------------------

def test_a_specialist_cannot_approve(world, api_as):
    doc = draft_doc(world)
    actions.submit_document(doc, user=world.a.specialist)
    spec, clerk = api_as(world.a.specialist), api_as(world.a.clerk)
    with NoWrites():
        err = assert_error(spec.post(f"/api/v1/documents/{doc.id}/approve"), 403, "role_not_allowed")
        assert err["details"]["required_roles"] == ["leader"]
        assert_error(clerk.post(f"/api/v1/documents/{doc.id}/approve"), 403)
        assert_error(spec.post(f"/api/v1/documents/{doc.id}/return", {"note": "Tự trả lại"}), 403)


def test_a_leader_cannot_issue(world, api_as):
    doc = draft_doc(world)
    actions.submit_document(doc, user=world.a.specialist)
    actions.approve_document(doc, user=world.a.leader)
    leader, spec = api_as(world.a.leader), api_as(world.a.specialist)
    with NoWrites():
        assert_error(leader.post(f"/api/v1/documents/{doc.id}/issue"), 403, "role_not_allowed")
        assert_error(spec.post(f"/api/v1/documents/{doc.id}/issue"), 403, "role_not_allowed")
    doc.refresh_from_db()
    assert doc.number is None


def shared_with(world, d, person):
    """The recipient's clerk opens the document to a person (they see it, and may do no more)."""
    share_document(d.document, user=world.b.clerk, person_id=person.id, organization_id=d.recipient_id)


def test_a_specialist_cannot_accept_or_reject_or_register_paper(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    shared_with(world, d, world.b.specialist)
    spec = api_as(world.b.specialist)
    leader = api_as(world.b.leader)
    with NoWrites():
        assert_error(spec.post(f"/api/v1/inbox/{d.id}/accept"), 403, "role_not_allowed")
        assert_error(leader.post(f"/api/v1/inbox/{d.id}/accept"), 403, "role_not_allowed")
        assert_error(spec.post(f"/api/v1/inbox/{d.id}/reject", {"reason": "Không nhận"}), 403)
        assert_error(spec.post("/api/v1/incoming/paper", paper_form(world), multipart=True), 403)


def test_a_clerk_cannot_assign(world, api_as):
    d = f.delivery_to(issued_doc(world), world.b.org)
    actions.accept_delivery(d, user=world.b.clerk)
    shared_with(world, d, world.b.specialist)
    clerk, spec = api_as(world.b.clerk), api_as(world.b.specialist)
    with NoWrites():
        assert_error(clerk.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.b.specialist.id}), 403, "role_not_allowed")
        assert_error(spec.post(f"/api/v1/incoming/{d.id}/assign", {"main_handler_id": world.b.specialist.id}), 403)


def test_only_the_main_handler_starts_and_completes(world, api_as):
    d = assigned(world, f.delivery_to(issued_doc(world), world.b.org))
    co, informed, leader = api_as(world.b.specialist2), api_as(world.b.clerk), api_as(world.b.leader)
    with NoWrites():
        assert_error(co.post(f"/api/v1/incoming/{d.id}/start"), 403, "not_main_handler")
        assert_error(co.post(f"/api/v1/incoming/{d.id}/complete", {"note": "Phối hợp xong"}), 403, "not_main_handler")
        assert_error(informed.post(f"/api/v1/incoming/{d.id}/complete", {}), 403, "not_main_handler")
        assert_error(leader.post(f"/api/v1/incoming/{d.id}/complete", {}), 403, "not_main_handler")


def test_an_inspector_cannot_draft(world, api_as):
    inspector = f.make_user(world.a.org, "inspector")
    api = api_as(inspector)
    with NoWrites():
        r = api.post("/api/v1/documents", {
            "organization_id": world.a.org.id, "doc_type": "CV", "subject": "Về việc kiểm tra",
            "file": pdf_upload(),
        }, multipart=True)
        assert_error(r, 403, "role_not_allowed")


# --- the sender and its recipients: 404 on each other's side ----------------------------------------

@pytest.fixture
def scene(world):
    """A draft of a, an issued document of a to b and c, b's delivery assigned, a paper record at b."""
    draft = draft_doc(world, "Dự thảo riêng của đơn vị A")
    doc = issued_doc(world)
    d_b = assigned(world, f.delivery_to(doc, world.b.org))
    d_c = f.delivery_to(doc, world.c.org)
    paper = actions.register_paper_document(
        user=world.b.clerk, organization=world.b.org, sender_name="Sở Nội vụ", number_symbol="12/SNV",
        issued_date=timezone.localdate(), doc_type="CV", subject="Về việc nhân sự",
        file=f.upload("giay.pdf", f.pdf_bytes("Bản quét văn bản giấy")),
    )
    return {"draft": draft, "doc": doc, "d_b": d_b, "d_c": d_c, "paper": paper}


def test_a_recipient_cannot_act_on_the_senders_side(world, api_as, scene):
    doc, draft = scene["doc"], scene["draft"]
    b_leader, b_clerk = api_as(world.b.leader), api_as(world.b.clerk)
    with NoWrites():
        for api, path in [
            (b_leader, f"/api/v1/documents/{draft.id}/approve"),
            (b_clerk, f"/api/v1/documents/{doc.id}/issue"),
            (b_leader, f"/api/v1/documents/{doc.id}/approve"),
            (b_clerk, f"/api/v1/documents/{doc.id}/submit"),
        ]:
            assert_error(api.post(path), 404)
        assert_error(b_clerk.put(f"/api/v1/documents/{doc.id}/recipients", {"recipient_ids": [world.b.org.id]}), 404)
        assert_error(b_clerk.get("/api/v1/documents", organization_id=world.a.org.id), 404)


def test_the_sender_cannot_act_on_the_recipients_side(world, api_as, scene):
    d_c = scene["d_c"]
    a_clerk, a_leader = api_as(world.a.clerk), api_as(world.a.leader)
    with NoWrites():
        assert_error(a_clerk.post(f"/api/v1/inbox/{d_c.id}/accept"), 404, "delivery_not_found")
        assert_error(a_clerk.post(f"/api/v1/inbox/{d_c.id}/reject", {"reason": "x"}), 404)
        assert_error(a_clerk.get(f"/api/v1/incoming/{d_c.id}"), 404)
        assert_error(a_leader.post(f"/api/v1/incoming/{d_c.id}/assign", {"main_handler_id": world.a.specialist.id}), 404)
        assert_error(a_clerk.get("/api/v1/inbox", organization_id=world.c.org.id), 404)


def test_one_recipient_cannot_touch_another_recipients_delivery(world, api_as, scene):
    d_b = scene["d_b"]
    c_clerk, c_leader = api_as(world.c.clerk), api_as(world.c.leader)
    with NoWrites():
        assert_error(c_clerk.post(f"/api/v1/inbox/{d_b.id}/accept"), 404)
        assert_error(c_clerk.get(f"/api/v1/incoming/{d_b.id}"), 404)
        assert_error(c_leader.post(f"/api/v1/incoming/{d_b.id}/assign", {"main_handler_id": world.c.specialist.id}), 404)
        assert_error(c_clerk.get(f"/api/v1/incoming/{scene['paper'].id}"), 404)
        assert_error(c_clerk.get("/api/v1/incoming", organization_id=world.b.org.id), 404)


def test_a_recipient_sees_only_its_own_delivery_row(world, api_as, scene):
    doc = scene["doc"]
    rows = api_as(world.c.clerk).get(f"/api/v1/documents/{doc.id}/deliveries").json()
    assert rows["count"] == 1 and [r["recipient"]["id"] for r in rows["items"]] == [world.c.org.id]
    rows = api_as(world.b.specialist).get(f"/api/v1/documents/{doc.id}/deliveries").json()
    assert [r["recipient"]["id"] for r in rows["items"]] == [world.b.org.id]
    sender = api_as(world.a.specialist).get(f"/api/v1/documents/{doc.id}/deliveries").json()
    assert {r["recipient"]["id"] for r in sender["items"]} == {world.b.org.id, world.c.org.id}


def test_a_recipient_reads_an_issued_document_and_its_file(world, api_as, scene):
    api = api_as(world.c.clerk)
    doc = scene["doc"]
    r = api.get(f"/api/v1/documents/{doc.id}")
    assert r.status_code == 200 and r.json()["symbol"] == doc.symbol
    r = api.get(r.json()["files"][0]["url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")


def test_a_draft_is_invisible_to_recipients(world, api_as, scene):
    draft = scene["draft"]
    sha = draft.files.get().file_id
    for user in (world.b.clerk, world.b.leader, world.c.specialist):
        api = api_as(user)
        assert_error(api.get(f"/api/v1/documents/{draft.id}"), 404, "document_not_found")
        assert_error(api.get(f"/api/v1/files/{sha}"), 404, "file_not_found")
        assert all(i["document"]["id"] != draft.id for i in api.get("/api/v1/inbox", organization_id=user.memberships.get().organization_id).json()["items"])
    # Its own organisation sees it.
    assert api_as(world.a.leader).get(f"/api/v1/documents/{draft.id}").status_code == 200


def test_lists_show_only_the_organisations_own_rows(world, api_as, scene):
    b_inbox = api_as(world.b.clerk).get("/api/v1/inbox", organization_id=world.b.org.id).json()
    assert {i["id"] for i in b_inbox["items"]} == {scene["d_b"].id, scene["paper"].id}
    c_inbox = api_as(world.c.clerk).get("/api/v1/inbox", organization_id=world.c.org.id).json()
    assert [i["id"] for i in c_inbox["items"]] == [scene["d_c"].id]
    o = world.outsider
    assert api_as(o.clerk).get("/api/v1/inbox", organization_id=o.org.id).json() == {"items": [], "count": 0}
    assert api_as(o.clerk).get("/api/v1/incoming", organization_id=o.org.id).json()["count"] == 0
    docs = api_as(world.a.clerk).get("/api/v1/documents", organization_id=world.a.org.id).json()
    assert {d["id"] for d in docs["items"]} == {scene["draft"].id, scene["doc"].id}
    assert api_as(world.b.clerk).get("/api/v1/documents", organization_id=world.b.org.id).json()["count"] == 0


# --- signing in: 401 -------------------------------------------------------------------------------

PROTECTED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organizations"),
    ("get", "/api/v1/document-types"),
    ("get", "/api/v1/documents/1"),
    ("post", "/api/v1/documents/1/issue"),
    ("get", "/api/v1/inbox?organization_id=1"),
    ("post", "/api/v1/inbox/1/accept"),
    ("get", "/api/v1/files/" + "a" * 64),
    ("get", "/api/v1/assignments/mine"),
    ("post", "/api/v1/incoming/1/start"),
]


def _assert_401(client, headers=None):
    for method, path in PROTECTED:
        r = getattr(client, method)(path, headers=headers or {})
        assert_error(r, 401, "not_authenticated")


def test_unauthenticated_requests_get_401_with_the_error_object(world, client):
    with NoWrites():
        _assert_401(client)


@pytest.mark.parametrize("header", ["Bearer khong-phai-ma-that", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_a_bogus_token_gets_401(world, client, header):
    _assert_401(client, {"Authorization": header})


def _token_for(client, user) -> str:
    r = client.post("/api/v1/auth/token", {"username": user.username, "password": "demo"}, content_type="application/json")
    assert r.status_code == 200
    return r.json()["token"]


def test_a_revoked_token_gets_401(world, client):
    raw = _token_for(client, world.a.clerk)
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    ApiToken.objects.filter(user=world.a.clerk).update(revoked_at=timezone.now())
    _assert_401(client, auth)


def test_an_expired_token_gets_401(world, client):
    raw = _token_for(client, world.a.clerk)
    ApiToken.objects.filter(user=world.a.clerk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_401(client, {"Authorization": f"Bearer {raw}"})


def test_a_deactivated_persons_token_gets_401(world, client):
    raw = _token_for(client, world.a.clerk)
    world.a.clerk.is_active = False
    world.a.clerk.save()
    _assert_401(client, {"Authorization": f"Bearer {raw}"})
