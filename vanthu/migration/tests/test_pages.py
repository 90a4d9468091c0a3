"""The administrator's pages: upload, the worker imports, the report as a page, JSON, XLSX and PDF."""

from __future__ import annotations

import hashlib
import io
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from vanthu.audit.models import AuditEntry
from vanthu.migration import samples as s
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import parse_mapping
from vanthu.migration.models import ImportRun, LegacyRecord, RunStatus
from vanthu.testing import factories as f

from .conftest import MAPPING


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_administrator_uploads_an_export_and_reads_the_report(org, export):
    admin = f.make_installation_admin(org)
    c = signed_in(admin)
    assert "Chuyển dữ liệu Notes" in c.get("/migration/").content.decode()
    with f.background_done():
        r = c.post("/migration/", {"file": SimpleUploadedFile("vanthu.dxl", export.read_bytes()), "organization": org.id,
                                   "mapping": MAPPING})
    run = ImportRun.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/migration/runs/{run.id}/"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.started_by == admin and run.report["created"] == 4
    assert run.report["sha256"] == {"vanthu.dxl": hashlib.sha256(export.read_bytes()).hexdigest()}
    finished = AuditEntry.objects.get(action="legacy_import_finished", object_id=str(run.id))
    assert finished.actor_id == admin.id and finished.data["created"] == 4 and finished.data["sha256"] == run.report["sha256"]
    assert LegacyRecord.objects.filter(organization=org).count() == 4
    page = c.get(f"/migration/runs/{run.id}/").content.decode()
    assert "Báo cáo kiểm tra" in page and "Số văn bản (document) trong tệp" in page and s.unid(3) in page
    assert 'hx-trigger="every 2s"' not in page  # done: no more polling
    assert json.loads(b"".join([c.get(f"/migration/runs/{run.id}/report.json").content])) == run.report
    wb = load_workbook(io.BytesIO(c.get(f"/migration/runs/{run.id}/report.xlsx").content), read_only=True)
    assert wb.sheetnames == ["Tổng hợp", "Đối chiếu văn bản", "Tệp đính kèm", "Bỏ qua và lỗi", "Tên chưa ánh xạ"]
    mapped = list(wb["Đối chiếu văn bản"].iter_rows(values_only=True))
    assert len(mapped) == 5 and any(row[0] == s.unid(1) and row[8] == "01-CV/ĐUK" for row in mapped)
    assert len(list(wb["Tệp đính kèm"].iter_rows(values_only=True))) == 1 + 3  # two files and a picture
    with f.background_done():
        assert c.post(f"/migration/runs/{run.id}/verify/").status_code == 302
    run.refresh_from_db()
    assert run.verification["status"] == "done" and run.verification["mismatches"] == [] and run.verification["documents"] == 5
    assert "0 chỗ không khớp" in c.get(f"/migration/runs/{run.id}/").content.decode()
    # A second run of the same export finds everything in, and still signs off for all of it.
    again = ImportRun.objects.create(organization=org, file_name="vanthu.dxl", mapping_text=MAPPING)
    run_import(export, organization=org, mapping=parse_mapping(MAPPING), run=again)
    wb = load_workbook(io.BytesIO(c.get(f"/migration/runs/{again.id}/report.xlsx").content), read_only=True)
    assert again.report["created"] == 0 and len(list(wb["Đối chiếu văn bản"].iter_rows(values_only=True))) == 5
    # A run whose export is not kept says so where the verification would be, not an empty heading.
    assert "Tệp của lượt nhập này không còn trên máy chủ" in c.get(f"/migration/runs/{again.id}/").content.decode()
    # A record's times read as dates, the export's own text beside them.
    rec = LegacyRecord.objects.get(organization=org, unid=s.unid(1))
    page = c.get(f"/migration/records/{rec.id}/").content.decode()
    assert f"{rec.created_at.astimezone(ZoneInfo('Asia/Ho_Chi_Minh')):%d/%m/%Y %H:%M}" in page and rec.created_raw in page
    pdf = c.get(f"/migration/runs/{run.id}/report.pdf")
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    # The sheet to sign carries the byte-for-byte check, and its times are Hanoi's, as every page's.
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kiểm tra lại từng byte" in text and "0 chỗ không khớp" in text
    assert f"kết thúc lúc {run.finished_at.astimezone(ZoneInfo('Asia/Ho_Chi_Minh')):%d/%m/%Y %H:%M}" in text


def test_a_run_in_progress_is_polled(org):
    admin = f.make_installation_admin(org)
    run = ImportRun.objects.create(organization=org, file_name="x.dxl", status=RunStatus.RUNNING, file_size=1000, bytes_read=250)
    page = signed_in(admin).get(f"/migration/runs/{run.id}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="25"' in page


def test_a_bad_mapping_is_refused_with_a_clear_message_and_nothing_queued(org, export):
    c = signed_in(f.make_installation_admin(org))
    r = c.post("/migration/", {"file": SimpleUploadedFile("vanthu.dxl", export.read_bytes()), "organization": org.id,
                               "mapping": "[forms.A]\nregister = 'sideways'\n"})
    assert r.status_code == 422 and "Bảng ánh xạ không hợp lệ" in r.content.decode()
    assert not ImportRun.objects.exists()


def test_only_the_installation_administrator_migrates(org, export):
    admin = f.make_installation_admin(org)
    run = ImportRun.objects.create(organization=org, file_name="x.dxl", status=RunStatus.DONE, report={"documents": 1})
    org_admin = signed_in(f.make_user(org, "admin", "clerk"))
    assert org_admin.get("/migration/").status_code == 403
    r = org_admin.post("/migration/", {"file": SimpleUploadedFile("vanthu.dxl", export.read_bytes()), "organization": org.id})
    assert r.status_code == 403 and not ImportRun.objects.exclude(pk=run.pk).exists()
    for path in (f"/migration/runs/{run.id}/", f"/migration/runs/{run.id}/report.json", f"/migration/runs/{run.id}/report.pdf"):
        assert org_admin.get(path).status_code == 404
    assert signed_in(admin).get(f"/migration/runs/{run.id}/report.json").status_code == 200


def test_the_pages_speak_english_when_chosen(org, export):
    admin = f.make_installation_admin(org)
    c = signed_in(admin)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get("/migration/").content.decode()
    assert "Migration from Lotus Notes" in page and "Upload and import" in page and "Notes migration" in page
    assert "Legacy records from Lotus Notes" in c.get("/migration/records/").content.decode()
