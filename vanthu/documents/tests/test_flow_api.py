"""The whole document flow through the API, as the sender and the recipient see it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from vanthu.audit.chain import verify
from vanthu.testing.factories import issued, pdf_bytes


def _pdf(name="congvan.pdf", data=None):
    return SimpleUploadedFile(name, data if data is not None else pdf_bytes(), content_type="application/pdf")


def create_draft(api, world, **extra):
    data = {
        "organization_id": world.a.org.id, "doc_type": "CV",
        "subject": "Về việc triển khai Nghị quyết về chuyển đổi số",
        "urgency": "khan", "confidentiality": "thuong",
        "recipient_ids": [world.b.org.id, world.c.org.id],
        "signer_name": "Nguyễn Văn An", "signer_position": "Bí thư", "file": _pdf(),
        "attachments": [_pdf("phuluc.pdf", pdf_bytes("Phụ lục kèm theo"))],
    }
    data.update(extra)
    return api.post("/api/v1/documents", data, multipart=True)


def test_whole_flow_sender_sees_every_status(world, api_as):
    specialist, leader, clerk = api_as(world.a.specialist), api_as(world.a.leader), api_as(world.a.clerk)
    r = create_draft(specialist, world)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["status"] == "draft" and doc["number"] is None
    assert [f["role"] for f in doc["files"]] == ["main", "attachment"]
    assert {o["id"] for o in doc["recipients"]} == {world.b.org.id, world.c.org.id}

    assert specialist.post(f"/api/v1/documents/{doc['id']}/submit").json()["status"] == "submitted"
    assert leader.post(f"/api/v1/documents/{doc['id']}/approve").json()["status"] == "approved"
    issued = clerk.post(f"/api/v1/documents/{doc['id']}/issue").json()
    assert issued["status"] == "issued"
    assert issued["number"] == 1 and issued["symbol"] == "01-CV/ĐUK" and issued["issued_at"]

    b_clerk, b_leader, b_spec = api_as(world.b.clerk), api_as(world.b.leader), api_as(world.b.specialist)
    inbox = b_clerk.get("/api/v1/inbox", organization_id=world.b.org.id).json()
    assert inbox["count"] == 1
    item = inbox["items"][0]
    assert item["status_code"] == "01"
    assert item["document"]["symbol"] == "01-CV/ĐUK"
    assert item["document"]["issuer"]["code"] == world.a.org.code

    accepted = b_clerk.post(f"/api/v1/inbox/{item['id']}/accept").json()
    assert accepted["status_code"] == "03" and accepted["incoming_number"] == 1

    r = b_leader.post(f"/api/v1/incoming/{item['id']}/assign", {
        "main_handler_id": world.b.specialist.id, "co_handler_ids": [world.b.specialist2.id],
        "informed_ids": [world.b.clerk.id], "deadline": "2099-12-31", "note": "Đề nghị đồng chí chủ trì tham mưu",
    })
    assert r.status_code == 200, r.content
    assert {h["role"] for h in r.json()["handlers"]} == {"main", "co", "informed"}
    assert b_spec.post(f"/api/v1/incoming/{item['id']}/start").json()["status_code"] == "05"
    done = b_spec.post(f"/api/v1/incoming/{item['id']}/complete", {"note": "Đã tham mưu văn bản trả lời"}).json()
    assert done["status_code"] == "06"

    rows = clerk.get(f"/api/v1/documents/{doc['id']}/deliveries").json()["items"]
    by_org = {d["recipient"]["id"]: d for d in rows}
    b_row = by_org[world.b.org.id]
    assert [h["status_code"] for h in b_row["history"]] == ["01", "03", "04", "05", "06"]
    assert b_row["status_code"] == "06" and b_row["incoming_number"] == 1
    assert by_org[world.c.org.id]["status_code"] == "01"
    assert verify().ok


def test_numbering_is_per_type_within_a_term(world, api_as):

    a = world.a
    symbols = [issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], doc_type=t).symbol
               for t in ["CV", "CV", "TB", "CV"]]
    assert symbols == ["01-CV/ĐUK", "02-CV/ĐUK", "01-TB/ĐUK", "03-CV/ĐUK"]


def test_state_style_numbering_shares_one_series_per_year(world):

    a = world.a
    a.org.numbering_style = "state"
    a.org.short_name = "UBND"
    a.org.save()
    symbols = [issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], doc_type=t).symbol
               for t in ["CV", "QĐ"]]
    assert symbols == ["01/CV-UBND", "02/QĐ-UBND"]
