"""A year in the life of one organisation's case files: the file list, filing, closing, handover
signed by both sides, a reading request, and disposal by decision (through the API)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.archive.models import AccessRequest, Archivist, CaseFile, CaseStatus
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions as doc_actions
from vanthu.documents import sharing
from vanthu.documents.models import Delivery, Document, DocumentFile
from vanthu.documents.storage import path_for
from vanthu.errors import InvalidState
from vanthu.search import indexing
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers
from vanthu.workflow.models import Assignment

YEAR = 2019


def _back_then(doc: Document, day: dt.date) -> Document:
    """History: the document was issued in YEAR (what the registers of that year hold)."""
    Document.objects.filter(pk=doc.pk).update(issued_date=day)
    return doc


def _paper(side, subject: str, day: dt.date) -> Document:
    d = doc_actions.register_paper_document(
        user=side.clerk, organization=side.org, sender_name="Thành ủy Hà Nội", number_symbol=f"{day.day}-CV/TU",
        issued_date=day, doc_type="CV", subject=subject, file=f.upload("ban-quet.pdf", f.pdf_bytes(subject)))
    return d.document


def _web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _reads(api, user, doc: Document) -> dict[str, object]:
    """What a person gets at every door to a document: its page, the API, its file, a search."""
    # A file of this document only (files are stored by content: a copy another document shares
    # is readable through that one).
    shared = DocumentFile.objects.exclude(document=doc).values("file_id")
    sha = DocumentFile.objects.filter(document=doc).exclude(file_id__in=shared).values_list("file_id", flat=True).first()
    found = api.get("/api/v1/search", q=doc.subject).json()["items"]
    return {"page": _web(user).get(f"/documents/{doc.id}/").status_code,
            "api": api.get(f"/api/v1/documents/{doc.id}").status_code,
            "file": api.get(f"/api/v1/files/{sha}").status_code,
            "found": doc.id in {h["document_id"] for h in found}}


READS = {"page": 200, "api": 200, "file": 200, "found": True}
NOT_FOUND = {"page": 404, "api": 404, "file": 404, "found": False}
READ_ONLY_NOTE = "Văn bản đã nộp lưu: chỉ xem."


def test_a_year_of_case_files_from_the_file_list_to_disposal(world, api_as):
    a = world.a
    ensure_demo_ca()
    Archivist.objects.create(organization=a.org, user=a.clerk)
    leader, clerk, spec = api_as(a.leader), api_as(a.clerk), api_as(a.specialist)

    # The leader draws up the year's file list: a heading, one permanent file, one kept 5 years.
    r = leader.post("/api/v1/archive/file-lists", {"organization_id": a.org.id, "year": YEAR})
    assert r.status_code == 201, r.content
    fl = r.json()["id"]
    assert leader.post("/api/v1/archive/file-lists", {"organization_id": a.org.id, "year": YEAR}).status_code == 409
    h = leader.post(f"/api/v1/archive/file-lists/{fl}/headings", {"code": "I", "title": "Công tác tổ chức xây dựng Đảng"}).json()["id"]
    perm = leader.post(f"/api/v1/archive/file-lists/{fl}/case-files", {
        "code": "01.01", "title": "Hồ sơ Đại hội Đảng bộ nhiệm kỳ 2020-2025", "retention": "VV", "heading_id": h,
        "responsible_id": a.specialist.id}).json()
    short = leader.post(f"/api/v1/archive/file-lists/{fl}/case-files", {
        "code": "01.02", "title": "Tập công văn trao đổi về công tác văn phòng năm 2019", "retention": "05", "heading_id": h,
        "responsible_id": a.specialist.id}).json()
    bad = leader.post(f"/api/v1/archive/file-lists/{fl}/case-files", {"code": "01.03", "title": "X", "retention": "99"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_retention"

    # Documents of that year: two issued by A, one received on paper.
    d1 = _back_then(f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                             subject="Báo cáo kết quả Đại hội Đảng bộ"), dt.date(YEAR, 3, 4))
    d2 = _back_then(f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                             subject="Công văn về lịch trực văn phòng"), dt.date(YEAR, 6, 10))
    d3 = _paper(a, "Công văn của Thành ủy về công tác văn phòng", dt.date(YEAR, 9, 20))
    unfiled = clerk.get("/api/v1/archive/unfiled", organization_id=a.org.id, year=YEAR).json()
    assert {d["id"] for d in unfiled["items"]} >= {d1.id, d2.id}

    # The specialist responsible opens both files and files the documents; the proposals name his work.
    for cf in (perm, short):
        assert spec.post(f"/api/v1/archive/case-files/{cf['id']}/open").json()["status"] == "open"
    proposed = {d["id"] for d in spec.get(f"/api/v1/archive/case-files/{short['id']}/proposals").json()["items"]}
    assert {d1.id, d2.id} <= proposed
    assert spec.post(f"/api/v1/archive/case-files/{perm['id']}/documents", {"document_id": d1.id}).status_code == 201
    i2 = spec.post(f"/api/v1/archive/case-files/{short['id']}/documents", {"document_id": d3.id}).json()["id"]
    i1 = spec.post(f"/api/v1/archive/case-files/{short['id']}/documents", {"document_id": d2.id}).json()["id"]
    again = spec.post(f"/api/v1/archive/case-files/{short['id']}/documents", {"document_id": d1.id})
    assert again.status_code == 409 and again.json()["error"]["code"] == "document_already_filed"
    foreign = f.issued(world.c.org, specialist=world.c.specialist, leader=world.c.leader, clerk=world.c.clerk, recipients=[world.b.org])
    assert spec.post(f"/api/v1/archive/case-files/{short['id']}/documents", {"document_id": foreign.id}).status_code == 404
    rec = spec.post(f"/api/v1/archive/case-files/{short['id']}/records",
                    {"title": "Sổ trực văn phòng năm 2019 (bản quét)", "file": io.BytesIO(f.pdf_bytes("Sổ trực", pages=3))}, multipart=True)
    assert rec.status_code == 201, rec.content
    order = spec.post(f"/api/v1/archive/case-files/{short['id']}/order", {"item_ids": [i1, i2, rec.json()["id"]]})
    assert [i["id"] for i in order.json()["items"]] == [i1, i2, rec.json()["id"]]

    # Closing gives the dates, the counts and the contents sheet.
    for cf in (perm, short):
        r = spec.post(f"/api/v1/archive/case-files/{cf['id']}/close")
        assert r.status_code == 200, r.content
    closed = r.json()
    assert closed["start_date"] == f"{YEAR}-06-10" and closed["document_count"] == 3 and closed["page_count"] >= 3
    assert closed["handover_due"] == f"{YEAR + 1}-09-20"  # one year after the work ended
    assert closed["retention_until"] == f"{YEAR + 5}-09-20"
    sheet = spec.get(closed["contents_sheet_url"])
    assert sheet.status_code == 200 and b"".join(sheet.streaming_content).startswith(b"%PDF")
    due = clerk.get("/api/v1/archive/handover-due", organization_id=a.org.id).json()
    assert {c["id"] for c in due["items"]} == {perm["id"], short["id"]}

    # Before the handover the clerk's page of d2 offers to share it and to recall it.
    page = _web(a.clerk).get(f"/documents/{d2.id}/").content.decode()
    assert f'action="/documents/{d2.id}/share/"' in page and f'action="/exchange/documents/{d2.id}/recall"' in page
    assert READ_ONLY_NOTE not in page

    # Handover: the list and the record, signed by the unit (leader), then by the archivist (clerk).
    r = clerk.post("/api/v1/archive/handovers", {"organization_id": a.org.id, "year": YEAR, "case_file_ids": [perm["id"], short["id"]]})
    assert r.status_code == 201, r.content
    ho = r.json()
    assert clerk.post(f"/api/v1/archive/handovers/{ho['id']}/sign").status_code == 200  # the clerk signs for the unit
    assert spec.post(f"/api/v1/archive/handovers/{ho['id']}/sign").status_code == 403  # not the archivist
    r = clerk.post(f"/api/v1/archive/handovers/{ho['id']}/sign")  # the clerk is also the archivist
    assert r.status_code == 200 and r.json()["status"] == "received", r.content
    record_pdf = b"".join(clerk.get(r.json()["record_url"]).streaming_content)
    sigs = PdfFileReader(io.BytesIO(record_pdf)).embedded_signatures
    assert [s.field_name for s in sigs] == ["BenGiao", "BenNhan"]
    assert CaseFile.objects.get(pk=short["id"]).status == CaseStatus.HANDED_OVER

    # Handed over: read-only, and its contents are read by request.
    edit = spec.post(f"/api/v1/archive/case-files/{short['id']}/documents", {"document_id": d1.id})
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "case_file_read_only"
    assert leader.post(f"/api/v1/archive/case-files/{short['id']}/reopen").status_code == 409
    seen = spec.get(f"/api/v1/archive/case-files/{short['id']}").json()
    assert seen["contents_readable"] is False and seen["items"] == []
    assert spec.get(f"/api/v1/archive/case-files/{short['id']}/items/{i1}/file").status_code == 404

    # At every door of the documents themselves: the specialist (their drafter) and the leader (who sees
    # all of A's correspondence) find nothing; the archivist reads; B keeps its own copy of d2.
    indexing.index_documents([d2.id, d3.id])
    for doc in (d2, d3):
        assert _reads(spec, a.specialist, doc) == NOT_FOUND
        assert _reads(leader, a.leader, doc) == NOT_FOUND
        assert _reads(clerk, a.clerk, doc) == READS
    assert _reads(api_as(world.b.clerk), world.b.clerk, d2) == READS
    assert leader.get(f"/api/v1/incoming/{d3.deliveries.get().id}").status_code == 404
    assert d2.id not in {d["id"] for d in leader.get("/api/v1/documents", organization_id=a.org.id).json()["items"]}
    # The register keeps the line (the office's record of its numbers), marked, without a link.
    register = _web(a.leader).get("/registers/incoming/").content.decode()
    assert d3.symbol in register and "Đã nộp lưu" in register and f"/documents/{d3.id}/" not in register
    # Read-only, even for the archivist: no recall or replacement of a handed-over document.
    r = clerk.post(f"/api/v1/documents/{d2.id}/recall", {"reason": "Thu hồi"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "document_handed_over"
    assert leader.post(f"/api/v1/documents/{d2.id}/recall", {"reason": "Thu hồi"}).status_code == 404
    # The archivist's page says so and offers nothing that changes it: no share form, no recall.
    for doc in (d2, d3):
        page = _web(a.clerk).get(f"/documents/{doc.id}/").content.decode()
        assert READ_ONLY_NOTE in page
        assert f'action="/documents/{doc.id}/share/"' not in page and f'action="/exchange/documents/{doc.id}/recall"' not in page
    with pytest.raises(InvalidState) as refused:
        sharing.share_document(d2, user=a.clerk, person_id=a.specialist.id)
    assert refused.value.code == "document_handed_over"
    assert _web(a.specialist).get(f"/documents/{d2.id}/edit/").status_code == 404
    # Nor handled any further there: the move itself refuses, whoever calls it (page, API, script).
    handed = d3.deliveries.get()
    with pytest.raises(InvalidState) as refused:
        assign_handlers(handed, user=a.leader, main_handler_id=a.specialist.id)
    assert refused.value.code == "document_handed_over"
    assert Delivery.objects.get(pk=handed.pk).status_code == handed.status_code and not Assignment.objects.filter(delivery=handed).exists()

    req = spec.post(f"/api/v1/archive/case-files/{short['id']}/access-requests", {"reason": "Tra cứu lịch trực năm 2019"}).json()
    assert spec.post(f"/api/v1/archive/access-requests/{req['id']}/decide", {"approve": True}).status_code in (403, 404)
    until = timezone.localdate() + dt.timedelta(days=7)
    r = clerk.post(f"/api/v1/archive/access-requests/{req['id']}/decide", {"approve": True, "until": until.isoformat()})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    seen = spec.get(f"/api/v1/archive/case-files/{short['id']}").json()
    assert seen["contents_readable"] is True and len(seen["items"]) == 3
    assert spec.get(f"/api/v1/archive/case-files/{short['id']}/items/{i1}/file").status_code == 200
    # For the period approved the specialist reads the file's documents everywhere; the leader still not.
    for doc in (d2, d3):
        assert _reads(spec, a.specialist, doc) == READS
        assert _reads(leader, a.leader, doc) == NOT_FOUND
    assert _reads(spec, a.specialist, d1) == NOT_FOUND  # another case file: another request
    # The period runs out (the approval's last day is yesterday): nothing again; the archivist still reads.
    AccessRequest.objects.filter(pk=req["id"]).update(until=timezone.localdate() - dt.timedelta(days=1))
    for doc in (d2, d3):
        assert _reads(spec, a.specialist, doc) == NOT_FOUND
        assert _reads(clerk, a.clerk, doc) == READS

    # Past retention: the 5-year file is listed, the permanent one never.
    expired = clerk.get("/api/v1/archive/past-retention", organization_id=a.org.id).json()
    assert [c["id"] for c in expired["items"]] == [short["id"]]

    # Disposal needs an issued decision that lists the files; permanent files are refused.
    decision = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], doc_type="QĐ",
                        subject="Quyết định hủy tài liệu hết giá trị: hồ sơ 01.02, 01.01")
    perm_try = clerk.post("/api/v1/archive/disposals", {"organization_id": a.org.id, "decision_id": decision.id,
                                                         "case_file_ids": [perm["id"], short["id"]]})
    assert perm_try.status_code == 409 and perm_try.json()["error"]["code"] == "permanent_case_file"
    not_listed = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], doc_type="QĐ",
                          subject="Quyết định hủy tài liệu khác")
    r = clerk.post("/api/v1/archive/disposals", {"organization_id": a.org.id, "decision_id": not_listed.id, "case_file_ids": [short["id"]]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_in_decision"
    record_sha = rec.json()["record_sha256"]
    with f.background_done():  # the bytes leave the storage after the commit
        r = clerk.post("/api/v1/archive/disposals", {"organization_id": a.org.id, "decision_id": decision.id, "case_file_ids": [short["id"]]})
    assert r.status_code == 201, r.content
    kept = r.json()["files"][0]
    assert kept["code"] == "01.02" and len(kept["contents"]) == 3
    assert record_sha in {fl["sha256"] for c in kept["contents"] for fl in c["files"]}
    assert CaseFile.objects.get(pk=short["id"]).status == CaseStatus.DISPOSED
    assert not path_for(record_sha).exists()  # the uploaded record's bytes are gone
    assert spec.get(f"/api/v1/archive/case-files/{short['id']}").json()["items"] == []
    entry = AuditEntry.objects.filter(action="case_files_disposed").get()
    assert entry.data["symbol"] == decision.symbol and record_sha in entry.data["case_files"][0]["hashes"]
    assert clerk.get("/api/v1/archive/disposals", organization_id=a.org.id).json()["count"] == 1

    # Disposed of: A keeps its documents no more. Nobody in A reads them at any door, not the
    # archivist, not by an approval still running; B keeps reading its own copy of d2.
    AccessRequest.objects.filter(pk=req["id"]).update(until=timezone.localdate() + dt.timedelta(days=7))
    indexing.index_documents([d2.id, d3.id])
    for doc in (d2, d3):
        assert _reads(clerk, a.clerk, doc) == NOT_FOUND
        assert _reads(leader, a.leader, doc) == NOT_FOUND
        assert _reads(spec, a.specialist, doc) == NOT_FOUND
    assert _reads(api_as(world.b.clerk), world.b.clerk, d2) == READS
    assert clerk.get(f"/api/v1/incoming/{d3.deliveries.get().id}").status_code == 404
    again = spec.post(f"/api/v1/archive/case-files/{short['id']}/access-requests", {"reason": "Tra cứu lại"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_in_archive"
    # The registers keep the lines, marked disposed, without a link, for the archivist too.
    for who in (a.leader, a.clerk):
        for path, doc in (("/registers/incoming/", d3), (f"/registers/outgoing/?period=y{YEAR}", d2)):
            register = _web(who).get(path).content.decode()
            assert doc.symbol in register and "Đã hủy" in register and f"/documents/{doc.id}/" not in register, path


def test_only_members_see_an_organisations_archive(world, api_as):
    a = world.a
    fl = api_as(a.leader).post("/api/v1/archive/file-lists", {"organization_id": a.org.id, "year": 2025}).json()
    other = api_as(world.b.clerk)
    assert other.get(f"/api/v1/archive/file-lists/{fl['id']}").status_code == 404
    assert other.get("/api/v1/archive/file-lists", organization_id=a.org.id).status_code == 404
    assert api_as(a.specialist).post(f"/api/v1/archive/file-lists/{fl['id']}/headings", {"code": "I", "title": "T"}).status_code == 403
