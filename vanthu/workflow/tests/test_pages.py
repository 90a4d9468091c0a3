"""Assigning an incoming document and handling it, through the pages."""

from __future__ import annotations

from django.test import Client

from vanthu.documents import actions
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def accepted(world):
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk,
                   recipients=[world.b.org, world.c.org])
    d = f.delivery_to(doc, world.b.org)
    actions.accept_delivery(d, user=world.b.clerk)
    return doc, d


def test_leader_assigns_specialist_completes_and_sender_sees_06(world):
    doc, d = accepted(world)
    leader = signed_in(world.b.leader)
    form = leader.get(f"/incoming/{d.id}/assign/").content.decode()
    assert world.b.specialist.get_full_name() in form and world.a.specialist.get_full_name() not in form
    r = leader.post(f"/incoming/{d.id}/assign/", {
        "main_handler": world.b.specialist.id, "co_handlers": [world.b.specialist2.id],
        "informed": [world.b.clerk.id], "deadline": "31/12/2099", "note": "Đồng chí chủ trì tham mưu",
    })
    assert r.status_code == 302
    spec = signed_in(world.b.specialist)
    mine = spec.get("/assignments/").content.decode()
    assert doc.symbol in mine and "Bắt đầu xử lý" in mine and "31/12/2099" in mine
    spec.post(f"/incoming/{d.id}/start/", {"next": "/assignments/"})
    r = spec.post(f"/incoming/{d.id}/complete/", {"note": "Đã báo cáo bằng văn bản", "confirmed": "on", "next": "/assignments/"})
    assert r.status_code == 302 and r.url == "/assignments/"
    d.refresh_from_db()
    assert d.status_code == "06"
    sender_page = signed_in(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert f'id="recipient-{world.b.org.id}" data-status="06"' in sender_page
    assert "Đã báo cáo bằng văn bản" in sender_page


def test_only_a_leader_of_the_recipient_may_assign(world):
    _doc, d = accepted(world)
    # A specialist does not see an unassigned record at all (need to know); a clerk sees it, may not assign.
    assert signed_in(world.b.specialist).get(f"/incoming/{d.id}/assign/").status_code == 404
    assert signed_in(world.b.clerk).get(f"/incoming/{d.id}/assign/").status_code == 403
    assert signed_in(world.c.leader).get(f"/incoming/{d.id}/assign/").status_code == 404


def test_assign_errors_are_shown_next_to_the_field(world):
    _doc, d = accepted(world)
    page = signed_in(world.b.leader).post(f"/incoming/{d.id}/assign/", {
        "main_handler": world.b.specialist.id, "deadline": "01/01/2000",
    }).content.decode()
    assert 'id="id_deadline_error"' in page and "Hạn xử lý không thể trước hôm nay" in page
    page = signed_in(world.b.leader).post(f"/incoming/{d.id}/assign/", {"main_handler": ""}).content.decode()
    assert 'id="id_main_handler_error"' in page


def test_only_the_main_handler_completes(world):
    _doc, d = accepted(world)

    assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id, co_handler_ids=[world.b.specialist2.id])
    r = signed_in(world.b.specialist2).post(f"/incoming/{d.id}/complete/", {"note": "x", "confirmed": "on"}, follow=True)
    assert r.status_code == 403
    d.refresh_from_db()
    assert d.status_code == "04"


def test_completing_asks_for_the_result_and_a_confirmation_and_keeps_what_was_typed(world):
    _doc, d = accepted(world)
    assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    spec = signed_in(world.b.specialist)
    panel = spec.get(f"/documents/{d.document_id}/").content.decode()
    assert 'name="confirmed"' in panel and "Tôi xác nhận đã xử lý xong văn bản này" in panel
    # The result without the confirmation: the confirm page, with the result kept, and nothing done.
    r = spec.post(f"/incoming/{d.id}/complete/", {"note": "Đã tham mưu văn bản trả lời Sở Tài chính", "next": "/assignments/"})
    page = r.content.decode()
    assert r.status_code == 200 and "Xác nhận hoàn thành xử lý" in page
    assert "Đã tham mưu văn bản trả lời Sở Tài chính</textarea>" in page and 'id="id_confirmed_error"' in page
    assert 'name="next" value="/assignments/"' in page
    # Confirmed without a result: asked for it.
    page = spec.post(f"/incoming/{d.id}/complete/", {"note": "  ", "confirmed": "on"}).content.decode()
    assert 'id="id_note_error"' in page and "Hãy ghi kết quả xử lý." in page
    d.refresh_from_db()
    assert d.status_code == "04"
    # Both: done, and back where the specialist was.
    r = spec.post(f"/incoming/{d.id}/complete/", {"note": "Đã tham mưu văn bản trả lời Sở Tài chính", "confirmed": "on",
                                                  "next": "/assignments/"})
    assert r.status_code == 302 and r.url == "/assignments/"
    d.refresh_from_db()
    assert d.status_code == "06"


def test_the_confirm_page_opens_from_a_link_too(world):
    _doc, d = accepted(world)
    assign_handlers(d, user=world.b.leader, main_handler_id=world.b.specialist.id)
    page = signed_in(world.b.specialist).get(f"/incoming/{d.id}/complete/").content.decode()
    assert "Xác nhận hoàn thành xử lý" in page and 'name="note"' in page and 'id="id_note_error"' not in page
    assert signed_in(world.c.specialist).get(f"/incoming/{d.id}/complete/").status_code == 404
