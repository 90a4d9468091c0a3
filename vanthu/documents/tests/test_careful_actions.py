"""Careful actions of the clerk: a paper document registered twice is caught before it enters the
register again (unless the clerk confirms it is another one), and several arrivals are accepted
with one press, each on its own."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Delivery, Document, StatusCode
from vanthu.errors import InvalidState
from vanthu.testing import factories as f

SENDER = "Sở Nội vụ Hà Nội"


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _paper(org, clerk, *, sender=SENDER, number="123/SNV-VP", day=date(2026, 11, 2), confirm=False) -> Delivery:
    return actions.register_paper_document(
        user=clerk, organization=org, sender_name=sender, number_symbol=number, issued_date=day, doc_type="CV",
        subject="Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số", file=f.upload(), confirm_duplicate=confirm)


def _form(**extra) -> dict:
    return {"sender_name": SENDER, "number_symbol": "123/SNV-VP", "issued_date": "02/11/2026", "doc_type": "CV",
            "subject": "Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số", "urgency": "thuong", "unmarked": "on",
            "file": SimpleUploadedFile("scan.pdf", f.pdf_bytes(), content_type="application/pdf"), **extra}


# --- a likely duplicate ---------------------------------------------------------------------------

def test_the_same_paper_twice_is_refused_with_a_link_to_the_first_and_taken_once_confirmed(world):
    b = world.b
    first = _paper(b.org, b.clerk)
    c = signed_in(b.clerk)
    page = c.post("/incoming/paper/", _form()).content.decode()
    assert "Văn bản này có thể đã vào sổ" in page and f'href="/documents/{first.document_id}/"' in page
    assert 'name="confirm_duplicate"' in page and "Vẫn vào sổ" in page
    assert Delivery.objects.filter(recipient=b.org).count() == 1  # nothing written
    # The clerk checked: it is another copy that must be kept too.
    r = c.post("/incoming/paper/", _form(confirm_duplicate="on"), follow=True)
    assert "Đã vào sổ văn bản đến số 2: 123/SNV-VP." in r.content.decode()
    assert Delivery.objects.filter(recipient=b.org).count() == 2
    assert AuditEntry.objects.filter(action="paper_document_registered").order_by("-seq").first().data["confirmed_duplicate"] is True


def test_an_ordinary_paper_form_does_not_ask_to_confirm(world):
    page = signed_in(world.b.clerk).get("/incoming/paper/").content.decode()
    assert 'name="confirm_duplicate"' not in page


@pytest.mark.parametrize(("sender", "number", "day", "duplicate"), [
    ("  sở nội vụ  HÀ NỘI ", "123/snv-vp", date(2026, 11, 2), True),  # case and spacing do not make it another
    ("Sở Tư pháp Hà Nội", "123/SNV-VP", date(2026, 11, 2), False),  # another sender
    (SENDER, "124/SNV-VP", date(2026, 11, 2), False),  # another number
    (SENDER, "123/SNV-VP", date(2026, 11, 3), False),  # another date
])
def test_a_duplicate_is_the_same_sender_number_and_date(world, sender, number, day, duplicate):
    b = world.b
    _paper(b.org, b.clerk)
    if duplicate:
        with pytest.raises(InvalidState) as exc:
            _paper(b.org, b.clerk, sender=sender, number=number, day=day)
        assert exc.value.code == "likely_duplicate"
    else:
        assert _paper(b.org, b.clerk, sender=sender, number=number, day=day).incoming_number == 2


def test_another_organisation_registering_the_same_paper_is_no_duplicate(world):
    _paper(world.b.org, world.b.clerk)
    assert _paper(world.c.org, world.c.clerk).incoming_number == 1


def test_a_paper_copy_of_a_document_already_received_electronically_is_a_likely_duplicate(world):
    a, b = world.a, world.b
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[b.org])
    with pytest.raises(InvalidState) as exc:
        _paper(b.org, b.clerk, sender=a.org.name, number=doc.symbol, day=doc.issued_date)
    assert exc.value.code == "likely_duplicate" and exc.value.details["document_id"] == doc.id


def test_the_api_refuses_a_likely_duplicate_with_its_own_code_unless_confirmed(world, api_as):
    b = world.b
    first = _paper(b.org, b.clerk)
    api = api_as(b.clerk)
    fields = {"organization_id": b.org.id, "sender_name": SENDER, "number_symbol": "123/SNV-VP", "issued_date": "2026-11-02",
              "doc_type": "CV", "subject": "Về việc cử cán bộ dự lớp bồi dưỡng kỹ năng số"}
    r = api.post("/api/v1/incoming/paper", {**fields, "file": SimpleUploadedFile("scan.pdf", f.pdf_bytes())}, multipart=True)
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "likely_duplicate" and err["details"]["delivery_id"] == first.id and "vào sổ" in err["message"]
    assert Document.objects.filter(source="paper").count() == 1
    r = api.post("/api/v1/incoming/paper", {**fields, "confirm_duplicate": "true",
                                            "file": SimpleUploadedFile("scan.pdf", f.pdf_bytes())}, multipart=True)
    assert r.status_code == 201 and r.json()["incoming_number"] == 2


def test_the_duplicate_lookup_reads_the_number_and_date_index(world):
    """On PostgreSQL the planner may still choose otherwise on a tiny table: checked where the
    plan is told (SQLite names the index it searches)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite names the index in its plan")
    qs = (Document.objects.filter(issued_date=date(2026, 11, 2), symbol__iexact="123/SNV-VP"))
    assert "doc_issued_symbol" in qs.explain()


# --- several arrivals at once -------------------------------------------------------------------

def _arrivals(world, n: int) -> list[Delivery]:
    a = world.a
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                     subject=f"Về việc báo cáo sơ kết quý {i + 1} năm 2026") for i in range(n)]
    return [f.delivery_to(d, world.b.org) for d in docs]


def test_the_clerk_ticks_arrivals_and_accepts_them_at_once_in_their_order(world):
    b = world.b
    first, second, third = _arrivals(world, 3)
    c = signed_in(b.clerk)
    inbox = c.get("/inbox/").content.decode()
    assert 'id="bulk-accept"' in inbox and f'name="ids" value="{first.id}" form="bulk-accept"' in inbox
    r = c.post("/inbox/accept/", {"ids": [third.id, first.id]}, follow=True)
    page = r.content.decode()
    assert "Đã tiếp nhận 2 văn bản" in page
    got = {d.id: d for d in Delivery.objects.filter(recipient=b.org)}
    # Numbered in the order they arrived, whatever the order ticked.
    assert (got[first.id].incoming_number, got[third.id].incoming_number) == (1, 2)
    assert got[second.id].status_code == StatusCode.ARRIVED
    assert AuditEntry.objects.filter(action="delivery_accepted").count() == 2


def test_one_already_accepted_is_reported_and_the_others_are_accepted(world):
    b = world.b
    first, second = _arrivals(world, 2)
    actions.accept_delivery(first, user=b.clerk)  # another clerk was quicker
    page = signed_in(b.clerk).post("/inbox/accept/", {"ids": [first.id, second.id]}, follow=True).content.decode()
    assert "Đã tiếp nhận 1 văn bản" in page and "không còn chờ tiếp nhận" in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.incoming_number, second.incoming_number) == (1, 2)
    assert first.events.filter(status_code=StatusCode.ACCEPTED).count() == 1  # nothing written twice


def test_nothing_chosen_or_not_a_clerk(world):
    b = world.b
    (d,) = _arrivals(world, 1)
    page = signed_in(b.clerk).post("/inbox/accept/", {}, follow=True).content.decode()
    assert "Chưa chọn văn bản nào" in page
    assert signed_in(b.specialist).post("/inbox/accept/", {"ids": [d.id]}).status_code == 403
    # Another organisation's clerk cannot reach it: it is not found in their inbox.
    page = signed_in(world.c.clerk).post("/inbox/accept/", {"ids": [d.id]}, follow=True).content.decode()
    assert "không tìm thấy" in page
    d.refresh_from_db()
    assert d.status_code == StatusCode.ARRIVED


def test_the_api_accepts_several_and_says_which_failed(world, api_as):
    b = world.b
    first, second = _arrivals(world, 2)
    actions.reject_delivery(second, user=b.clerk, reason="Gửi nhầm đơn vị")
    other = _arrivals(world, 1)[0]
    stranger = f.delivery_to(f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk,
                                      recipients=[world.c.org]), world.c.org)
    r = api_as(b.clerk).post("/api/v1/inbox/accept", {"organization_id": b.org.id,
                                                      "delivery_ids": [other.id, second.id, first.id, stranger.id]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [(i["id"], i["incoming_number"]) for i in body["accepted"]] == [(first.id, 1), (other.id, 2)]
    assert {(x["delivery_id"], x["code"]) for x in body["failed"]} == {
        (second.id, "invalid_delivery_status"), (stranger.id, "delivery_not_found")}
    stranger.refresh_from_db()
    assert stranger.status_code == StatusCode.ARRIVED
    r = api_as(b.clerk).post("/api/v1/inbox/accept", {"organization_id": b.org.id, "delivery_ids": []})
    assert r.status_code == 422 and r.json()["error"]["code"] == "delivery_ids_required"
    r = api_as(world.c.clerk).post("/api/v1/inbox/accept", {"organization_id": b.org.id, "delivery_ids": [first.id]})
    assert r.status_code == 404


def test_bulk_accept_queries_grow_only_with_the_work_per_item(world):
    """Reading the chosen arrivals is one statement, whatever their number."""
    b = world.b
    ds = _arrivals(world, 3)
    found = list(Delivery.objects.for_organization(b.org.id).filter(id__in=[d.id for d in ds]).with_document())
    with CaptureQueriesContext(connection) as one:
        actions.accept_deliveries(found[:1], user=b.clerk)
    with CaptureQueriesContext(connection) as two:
        actions.accept_deliveries(found[1:], user=b.clerk)
    assert len(two) <= 2 * len(one)
