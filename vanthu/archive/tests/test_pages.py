"""The archive's pages: a specialist files through the forms, the clerk hands over, the archivist
decides a request; bad input gets a Vietnamese message; others' archives are 404."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from vanthu.archive import actions
from vanthu.archive.models import AccessRequest, Archivist, CaseFile, CaseStatus, FileList, Handover
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_filing_through_the_pages(world):
    a = world.a
    leader, spec = client_for(a.leader), client_for(a.specialist)
    assert leader.get("/archive/").status_code == 200
    r = leader.post("/archive/", {"year": "2026"})
    assert r.status_code == 302
    fl = FileList.objects.get(organization=a.org, year=2026)
    again = leader.post("/archive/", {"year": "2026"})
    assert again.status_code == 422 and "đã có" in again.content.decode()
    assert leader.post(f"/archive/lists/{fl.id}/headings/", {"code": "II", "title": "Công tác kiểm tra, giám sát"}).status_code == 302
    r = leader.post(f"/archive/lists/{fl.id}/entries/", {"code": "02.01", "title": "Hồ sơ kiểm tra chi bộ năm 2026",
                                                         "retention": "20", "responsible_id": a.specialist.id})
    assert r.status_code == 302, r.content.decode()[:500]
    bad = leader.post(f"/archive/lists/{fl.id}/entries/", {"code": "", "title": "", "retention": "20"})
    assert bad.status_code == 422 and 'class="error"' in bad.content.decode()
    page = spec.get(f"/archive/lists/{fl.id}/")
    assert "Hồ sơ kiểm tra chi bộ năm 2026" in page.content.decode()
    cf = CaseFile.objects.get(file_list=fl, code="02.01")
    assert spec.post(f"/archive/case-files/{cf.id}/open/").status_code == 302
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org],
                   subject="Báo cáo kết quả kiểm tra chi bộ")
    page = spec.get(f"/archive/case-files/{cf.id}/").content.decode()
    assert 'id="proposals"' in page and "Báo cáo kết quả kiểm tra chi bộ" in page
    assert spec.post(f"/archive/case-files/{cf.id}/document/", {"document_id": doc.id}).status_code == 302
    wrong = spec.post(f"/archive/case-files/{cf.id}/record/", {"title": "Bản quét", "file": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert wrong.status_code == 422
    ok = spec.post(f"/archive/case-files/{cf.id}/record/", {"title": "Biên bản kiểm tra (bản quét)", "dated": "05/03/2026",
                                                            "file": SimpleUploadedFile("bb.pdf", f.pdf_bytes("Biên bản"))})
    assert ok.status_code == 302
    first = cf.items.order_by("position").first()
    assert spec.post(f"/archive/case-files/{cf.id}/items/{first.id}/down/").status_code == 302
    assert cf.items.order_by("position").last().id == first.id
    assert spec.post(f"/archive/case-files/{cf.id}/close/").status_code == 302
    cf.refresh_from_db()
    assert cf.status == CaseStatus.CLOSED and cf.document_count == 2 and cf.start_date == dt.date(2026, 3, 5)
    for path in ("/archive/unfiled/?year=2026", "/archive/handovers/", "/archive/requests/", "/archive/disposal/"):
        assert spec.get(path).status_code == 200, path
    outsider = client_for(world.outsider.clerk)
    assert outsider.get(f"/archive/lists/{fl.id}/").status_code == 404
    assert outsider.get(f"/archive/case-files/{cf.id}/").status_code == 404
    assert outsider.post(f"/archive/case-files/{cf.id}/reopen/").status_code == 404


def test_handover_and_a_reading_request_through_the_pages(world):
    a = world.a
    ensure_demo_ca()
    Archivist.objects.create(organization=a.org, user=a.leader)
    fl = actions.create_file_list(user=a.clerk, organization=a.org, year=2025)
    cf = actions.open_case_file(actions.add_entry(fl, user=a.clerk, code="03.01", title="Hồ sơ hội nghị sơ kết", retention="10",
                                                  responsible_id=a.specialist.id), user=a.specialist)
    actions.add_record(cf, user=a.specialist, name="hn.pdf", data=f.pdf_bytes("Nghị quyết hội nghị"), title="Nghị quyết hội nghị",
                       dated=dt.date(2025, 7, 1))
    actions.close_case_file(cf, user=a.specialist)
    clerk, leader, spec = client_for(a.clerk), client_for(a.leader), client_for(a.specialist)
    page = clerk.get("/archive/handovers/?year=2025").content.decode()
    assert "03.01" in page
    r = clerk.post("/archive/handovers/", {"year": "2025", "case_file_ids": [cf.id]})
    assert r.status_code == 302
    h = Handover.objects.get()
    assert spec.post(f"/archive/handovers/{h.id}/sign/").status_code == 302  # refused: a message, nothing signed
    assert Handover.objects.get().unit_signed_at is None
    clerk.post(f"/archive/handovers/{h.id}/sign/")
    leader.post(f"/archive/handovers/{h.id}/sign/")
    assert CaseFile.objects.get(pk=cf.id).status == CaseStatus.HANDED_OVER
    page = spec.get(f"/archive/case-files/{cf.id}/").content.decode()
    assert "Gửi đề nghị" in page and "Nghị quyết hội nghị" not in page
    assert spec.post(f"/archive/case-files/{cf.id}/request/", {"reason": "Tra cứu nghị quyết"}).status_code == 302
    req = AccessRequest.objects.get()
    assert leader.post(f"/archive/requests/{req.id}/approve/", {"until": "31/12/2099"}).status_code == 302
    assert AccessRequest.objects.get().status == "pending"  # more than a year: refused with a message
    until = (dt.date.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    leader.post(f"/archive/requests/{req.id}/approve/", {"until": until})
    assert "Nghị quyết hội nghị" in spec.get(f"/archive/case-files/{cf.id}/").content.decode()


def test_the_archive_pages_speak_english_from_the_apps_own_catalogue(world):
    client = client_for(world.a.leader)
    client.cookies["django_language"] = "en"
    page = client.get("/archive/")
    text = page.content.decode()
    with translation.override("en"):
        assert translation.gettext("Lưu trữ hồ sơ") == "Archive"
        assert translation.gettext("Hồ sơ bảo quản vĩnh viễn không bao giờ được hủy: %(codes)s.").startswith("Permanent case files")
        # The archive's front page counts: one file is a file, not "1 closed case files".
        due = "%(due)s hồ sơ đã kết thúc chờ nộp lưu"
        assert translation.ngettext(due, due, 1) % {"due": 1} == "1 closed case file waiting for handover"
        assert translation.ngettext(due, due, 2) % {"due": 2} == "2 closed case files waiting for handover"
    assert page.status_code == 200 and "Unfiled documents" in text and "Draw it up" in text
