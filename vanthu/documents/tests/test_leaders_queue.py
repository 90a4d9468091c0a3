"""The leaders' queue (issue 16 §8): the most urgent first, then the oldest; who submitted it; the
leader's opinion recorded with the approval or the return and shown in the document's history."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.documents.tests.test_bad_input import assert_error
from vanthu.testing import factories as f


def signed_in(user, org) -> Client:
    c = Client()
    c.force_login(user)
    c.post("/org/", {"organization_id": org.id})
    return c


def _submitted(world, subject: str, urgency: str, minutes_ago: int, by=None) -> Document:
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org], subject=subject, signer=a.leader)
    Document.objects.filter(id=doc.id).update(urgency=urgency)
    actions.submit_document(Document.objects.get(id=doc.id), user=by or a.specialist)
    Document.objects.filter(id=doc.id).update(submitted_at=timezone.now() - timedelta(minutes=minutes_ago))
    return doc


def _queue(world) -> list[Document]:
    return [
        _submitted(world, "Về việc chuẩn bị hội nghị sơ kết", "thuong", 300),
        _submitted(world, "Về việc báo cáo nhanh tình hình mưa lũ", "hoa_toc", 10),
        _submitted(world, "Về việc góp ý dự thảo quy chế", "khan", 200, by=world.a.specialist2),
        _submitted(world, "Về việc cử cán bộ dự tập huấn", "khan", 400),
        _submitted(world, "Về việc kiểm tra công tác văn thư", "thuong_khan", 5),
    ]


def test_the_queue_puts_the_most_urgent_first_then_the_oldest(world, api_as):
    normal, flash, urgent_new, urgent_old, very = _queue(world)
    expected = [flash.id, very.id, urgent_old.id, urgent_new.id, normal.id]
    page = signed_in(world.a.leader, world.a.org).get("/documents/?status=submitted").content.decode()
    assert sorted(expected, key=lambda i: page.index(f'id="doc-{i}"')) == expected
    home = signed_in(world.a.leader, world.a.org).get("/").content.decode()
    shown = [i for i in expected if f'id="approve-{i}"' in home]
    assert sorted(shown, key=lambda i: home.index(f'id="approve-{i}"')) == expected[:len(shown)] and len(shown) == 5
    items = api_as(world.a.leader).get("/api/v1/documents", organization_id=world.a.org.id, status="submitted").json()["items"]
    assert [x["id"] for x in items] == expected


def test_the_queue_names_who_submitted(world, api_as):
    _normal, _flash, urgent_new, _urgent_old, _very = _queue(world)
    page = signed_in(world.a.leader, world.a.org).get("/documents/?status=submitted").content.decode()
    row = page[page.index(f'id="doc-{urgent_new.id}"'):]
    assert world.a.specialist2.get_full_name() in row[:row.index("</tr>")]
    assert f"Trình bởi {world.a.specialist2.get_full_name()}" in signed_in(world.a.leader, world.a.org).get("/").content.decode()
    item = next(x for x in api_as(world.a.leader).get("/api/v1/documents", organization_id=world.a.org.id, status="submitted").json()["items"]
                if x["id"] == urgent_new.id)
    assert item["submitted_by"] == world.a.specialist2.get_full_name()


def test_the_leaders_opinion_on_approval_is_in_the_documents_history(world, api_as):
    doc = _submitted(world, "Về việc tổng kết công tác năm", "thuong", 30)
    r = api_as(world.a.leader).post(f"/api/v1/documents/{doc.id}/approve", {"note": "Đồng ý, lưu ý gửi kèm phụ lục số liệu"})
    assert r.status_code == 200, r.content
    page = signed_in(world.a.specialist, world.a.org).get(f"/documents/{doc.id}/").content.decode()
    history = page[page.index('id="h-history"'):]
    assert "Đồng ý, lưu ý gửi kèm phụ lục số liệu" in history and world.a.leader.get_full_name() in history
    # A recipient never reads the issuing organisation's drafting history.
    actions.issue_document(Document.objects.get(id=doc.id), user=world.a.clerk)
    assert 'id="h-history"' not in signed_in(world.b.clerk, world.b.org).get(f"/documents/{doc.id}/").content.decode()


def test_the_opinion_on_approval_from_the_page_and_on_return_both_show(world):
    doc = _submitted(world, "Về việc tổng kết công tác năm", "thuong", 30)
    leader = signed_in(world.a.leader, world.a.org)
    leader.post(f"/documents/{doc.id}/return/", {"note": "Bổ sung số liệu quý IV"})
    actions.submit_document(Document.objects.get(id=doc.id), user=world.a.specialist)
    leader.post(f"/documents/{doc.id}/approve/", {"note": "Đã bổ sung đủ, đồng ý ban hành"})
    assert Document.objects.get(id=doc.id).status == "approved"
    history = leader.get(f"/documents/{doc.id}/").content.decode()
    history = history[history.index('id="h-history"'):]
    assert history.index("Bổ sung số liệu quý IV") < history.index("Đã bổ sung đủ, đồng ý ban hành")


def test_an_opinion_that_breaks_the_text_rule_is_refused_and_nothing_is_approved(world, api_as):
    doc = _submitted(world, "Về việc tổng kết công tác năm", "thuong", 30)
    assert_error(api_as(world.a.leader).post(f"/api/v1/documents/{doc.id}/approve", {"note": "Đồng ý\x00"}), 422)
    assert Document.objects.get(id=doc.id).status == "submitted"
