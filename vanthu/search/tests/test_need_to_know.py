"""Search follows need to know (issue 16 §11): a specialist finds only what they may open."""

from __future__ import annotations

from vanthu.documents import actions
from vanthu.documents.models import Delivery
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
