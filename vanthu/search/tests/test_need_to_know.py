"""Search follows need to know (issue 16 §11): a specialist finds only what they may open, and a
person wide in one organisation and narrow in another searches both in one query."""

from __future__ import annotations

from django.test import Client

from vanthu.documents import actions
from vanthu.documents.models import Delivery
from vanthu.organizations.models import Membership
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers

from .conftest import ids


def found(api, q: str, **params) -> list[int]:
    return ids(api.get("/api/v1/search", q=q, **params))


def test_a_specialist_finds_an_incoming_document_only_once_assigned(world, api_as, make_doc):
    doc = make_doc("Về việc kiểm tra việc thực hiện quy chế dân chủ ở cơ sở")
    other = make_doc("Về việc kiểm tra công tác tài chính đảng năm 2026")
    d = Delivery.objects.get(document=doc, recipient=world.b.org)
    actions.accept_delivery(d, user=world.b.clerk)
    spec = api_as(world.b.specialist)
    assert found(spec, "kiểm tra") == []
    assert sorted(found(api_as(world.b.clerk), "kiểm tra")) == sorted([doc.id, other.id])

    assign_handlers(Delivery.objects.get(pk=d.pk), user=world.b.leader, main_handler_id=world.b.specialist.id,
                    co_handler_ids=[], informed_ids=[])
    assert found(spec, "kiểm tra") == [doc.id]
    assert found(spec, "kiểm tra", order="newest", direction="incoming") == [doc.id]
    assert found(spec, "công tác") == []  # the other one's words
    r = spec.get("/api/v1/search", q="kiểm tra")
    assert r.json()["count"] == 1


def test_a_specialist_finds_their_own_drafts_but_not_a_colleagues(world, api_as, make_doc, django_capture_on_commit_callbacks):
    mine = make_doc("Về việc dự thảo quy chế làm việc của chi bộ", issue=False)
    with django_capture_on_commit_callbacks(execute=True):
        theirs = actions.create_draft(user=world.a.specialist2, organization=world.a.org, doc_type="CV",
                                      subject="Về việc dự thảo quy chế chi tiêu nội bộ", recipient_ids=[world.b.org.id],
                                      main_file=f.upload(data=f.pdf_bytes("Quy chế chi tiêu nội bộ")))
    assert found(api_as(world.a.specialist), "quy chế") == [mine.id]
    assert found(api_as(world.a.specialist2), "quy chế") == [theirs.id]
    assert sorted(found(api_as(world.a.leader), "quy chế")) == sorted([mine.id, theirs.id])


def _wide_and_narrow(world):
    """B's clerk (the whole of B's correspondence) who is also a specialist of C (what they need to know there)."""
    person = f.make_user(world.b.org, "clerk", full_name="Văn thư B, chuyên viên C")
    Membership.objects.create(user=person, organization=world.c.org, role="specialist")
    return person


def _assigned_in_c(world, doc, person) -> None:
    d = Delivery.objects.get(document=doc, recipient=world.c.org)
    actions.accept_delivery(d, user=world.c.clerk)
    assign_handlers(Delivery.objects.get(pk=d.pk), user=world.c.leader, main_handler_id=person.id, co_handler_ids=[], informed_ids=[])


def test_a_person_wide_in_one_organisation_and_narrow_in_another_searches_both_at_once(world, api_as, make_doc):
    person = _wide_and_narrow(world)
    to_b = make_doc("Về việc kiểm tra công tác văn thư lưu trữ", to=[world.b.org])
    assigned = make_doc("Về việc kiểm tra thu nộp đảng phí", to=[world.c.org])
    not_mine = make_doc("Về việc kiểm tra quỹ hỗ trợ hội viên", to=[world.c.org])  # C's, not assigned to them: would leak
    _assigned_in_c(world, assigned, person)
    api = api_as(person)
    want = sorted([to_b.id, assigned.id])
    for order in ("relevance", "newest"):
        r = api.get("/api/v1/search", q="kiểm tra", order=order)
        assert sorted(ids(r)) == want and r.json()["count"] == 2
    assert found(api, "quỹ hỗ trợ") == []  # only the one they may not open holds these words
    assert found(api, "kiểm tra", organization_id=world.c.org.id) == [assigned.id]
    assert found(api, "kiểm tra", organization_id=world.b.org.id) == [to_b.id]
    assert sorted(found(api, "kiểm tra", direction="incoming")) == want
    assert found(api, "kiểm tra", direction="outgoing") == []
    assert not_mine.id not in found(api, "đảng")
    assert set(found(api_as(world.c.clerk), "kiểm tra")) == {assigned.id, not_mine.id}


def test_the_search_page_covers_both_organisations_too(world, make_doc):
    person = _wide_and_narrow(world)
    to_b = make_doc("Về việc tổng kết phong trào thi đua", to=[world.b.org])
    assigned = make_doc("Về việc tổng kết công tác dân vận", to=[world.c.org])
    not_mine = make_doc("Về việc tổng kết công tác kiểm tra giám sát", to=[world.c.org])
    _assigned_in_c(world, assigned, person)
    c = Client()
    c.force_login(person)
    page = c.get("/search/", {"q": "tổng kết"}).content.decode()
    assert f"/documents/{to_b.id}/" in page and f"/documents/{assigned.id}/" in page
    assert f"/documents/{not_mine.id}/" not in page and "giám sát" not in page


def test_a_person_narrow_in_two_organisations_finds_what_they_drafted_in_one_and_were_given_in_the_other(world, api_as, make_doc):
    person = f.make_user(world.a.org, "specialist", full_name="Chuyên viên A và C")
    Membership.objects.create(user=person, organization=world.c.org, role="specialist")
    colleague, world.a.specialist = world.a.specialist, person  # make_doc drafts as A's specialist
    drafted = make_doc("Về việc hướng dẫn học tập nghị quyết", to=[world.b.org], issue=False)
    world.a.specialist = colleague
    assigned = make_doc("Về việc hướng dẫn kết nạp đảng viên", to=[world.c.org])
    other = make_doc("Về việc hướng dẫn đánh giá xếp loại", to=[world.c.org])
    _assigned_in_c(world, assigned, person)
    r = api_as(person).get("/api/v1/search", q="hướng dẫn")
    assert sorted(ids(r)) == sorted([drafted.id, assigned.id]) and r.json()["count"] == 2
    assert other.id not in found(api_as(person), "xếp loại")
