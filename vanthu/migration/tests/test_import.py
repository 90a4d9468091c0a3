"""Importing an export: everything kept, mapped forms in the registers with their numbers, classified
notes refused, a second run creating nothing, a newer note updating its record, and verify."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import transaction
from django.test import Client

from vanthu.audit.models import AuditEntry
from vanthu.documents.models import Delivery, DocStatus, Document, RegisterCounter
from vanthu.documents.numbering import next_number
from vanthu.documents.storage import path_for
from vanthu.migration import commands
from vanthu.migration import samples as s
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import MappingError, parse_mapping
from vanthu.migration.models import LegacyAttachment, LegacyRecord, NotesName
from vanthu.migration.verify import verify_export
from vanthu.testing import factories as f

from .conftest import AN, DOCX, MAPPING, office_notes, outgoing, write


@pytest.fixture
def mapping():
    return parse_mapping(MAPPING)


def test_every_note_becomes_a_record_and_the_report_counts_it(org, export, mapping):
    f.make_user(org, "clerk", username="nva")
    report = run_import(export, organization=org, mapping=mapping)
    assert report["documents"] == 5 and report["created"] == 4 and report["updated"] == 0
    assert report["by_form"] == {"PhanHoi": 1, "VanBanDen": 1, "VanBanDi": 3}
    assert report["attachments"] == 2 and report["attachment_bytes"] == len(DOCX) + LegacyAttachment.objects.get(name="ke-hoach-so-ket.pdf").size
    assert report["mapped"] == {"incoming": 1, "outgoing": 2}
    assert report["sha256"] == {"vanthu.dxl": hashlib.sha256(export.read_bytes()).hexdigest()}
    assert report["errors"] == [] and report["complete"] is True
    assert [x["unid"] for x in report["skipped"]] == [s.unid(3)] and report["skipped"][0]["reason"] == "classified"
    assert AN not in report["unmapped_names"] and "CN=Lê Văn Cường/OU=BTC/O=DUK" in report["unmapped_names"]
    assert report["design_notes"] == {"agent": 1, "form": 3, "view": 1}
    assert any(e["level"] == "manager" for e in report["acl"])
    first = LegacyRecord.objects.get(unid=s.unid(1))
    assert first.form == "VanBanDi" and first.note_id == "8f1" and first.created_raw == "20110602T091505,27+07"
    assert first.created_at.utcoffset() is not None and first.created_at.isoformat() == "2011-06-02T02:15:05.270000+00:00"
    assert [a.name for a in first.attachments.filter(kind="file")] == ["ke-hoach-so-ket.pdf", "du-thao.docx"]
    assert path_for(first.attachments.get(name="du-thao.docx").sha256).read_bytes() == DOCX
    assert first.attachments.filter(kind="picture").count() == 1
    assert first.authors[0]["notes"] == "CN=Trần Thị Bình/OU=VP/O=DUK"
    assert LegacyRecord.objects.get(form="PhanHoi").parent_unid == s.unid(1)
    assert NotesName.objects.filter(name=AN).exists()
    assert AuditEntry.objects.filter(action="legacy_record_imported").count() == 4


def test_mapped_forms_enter_the_registers_with_their_numbers_and_numbering_continues(org, export, mapping):
    run_import(export, organization=org, mapping=mapping)
    out = Document.objects.get(symbol="01-CV/ĐUK")
    assert out.status == DocStatus.ISSUED and out.issuer == org and out.number == 1 and out.register_key == "out:CV:2015-2020"
    assert out.subject == "Kế hoạch tổ chức hội nghị sơ kết 6 tháng đầu năm 2011"
    assert out.signer_name == "Nguyễn Văn An" and out.issued_date.isoformat() == "2011-06-02"
    assert [x.name for x in out.files.order_by("position")] == ["ke-hoach-so-ket.pdf", "du-thao.docx"]
    assert not out.deliveries.exists()  # it went out through Notes long ago: no one is sent it again
    assert LegacyRecord.objects.get(unid=s.unid(1)).document == out
    assert RegisterCounter.objects.get(organization=org, key="out:CV:2015-2020").last_number == 2
    with transaction.atomic():
        assert next_number(org.id, "out:CV:2015-2020") == 3  # after the highest migrated number
    incoming = Delivery.objects.get(recipient=org)
    assert incoming.incoming_number == 7 and incoming.incoming_key == "in:2011" and incoming.status_code == "03"
    assert incoming.document.external_issuer_name == "Thành ủy Hà Nội" and incoming.document.symbol == "7-CV/TU"
    assert not Document.objects.filter(subject__contains="(mật)").exists()


def test_a_second_run_creates_nothing(org, export, mapping):
    run_import(export, organization=org, mapping=mapping)
    counts = (LegacyRecord.objects.count(), LegacyAttachment.objects.count(), Document.objects.count(), AuditEntry.objects.count())
    again = run_import(export, organization=org, mapping=mapping)
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 4 and again["documents"] == 5
    assert again["mapped"] == {"incoming": 1, "outgoing": 2}
    assert (LegacyRecord.objects.count(), LegacyAttachment.objects.count(), Document.objects.count(), AuditEntry.objects.count()) == counts


def test_a_newer_sequence_updates_the_record_and_keeps_the_old_version(org, tmp_path, mapping):
    notes = office_notes()
    run_import(write(tmp_path / "a.dxl", notes), organization=org, mapping=mapping)
    doc = Document.objects.get(symbol="02-CV/ĐUK")
    notes[1] = outgoing(2, subject="Về việc đăng ký thi đua năm 2011 (bổ sung)", sequence=4)
    report = run_import(write(tmp_path / "b.dxl", notes), organization=org, mapping=mapping)
    assert report["updated"] == 1 and report["created"] == 0
    rec = LegacyRecord.objects.get(unid=s.unid(2))
    assert rec.version == 2 and rec.sequence == 4 and "(bổ sung)" in rec.title
    assert rec.versions.get().sequence == 1 and "bổ sung" not in str(rec.versions.get().items)
    assert rec.document == doc and Document.objects.filter(symbol="02-CV/ĐUK").count() == 1  # issued documents never change
    # the older export again: nothing goes back
    old = run_import(tmp_path / "a.dxl", organization=org, mapping=mapping)
    assert old["updated"] == 0 and any(x["reason"] == "older" for x in old["skipped"])
    rec.refresh_from_db()
    assert rec.version == 2


def test_classified_notes_never_enter_whatever_the_form(org, tmp_path, mapping):
    stamped = outgoing(9, subject="Kế hoạch bảo vệ", body=["TỐI MẬT", "Kế hoạch bảo vệ an ninh nội bộ"])
    unmapped = outgoing(10, subject="Ghi chép", marking="Tuyệt mật")
    unmapped.form = "GhiChep"
    report = run_import(write(tmp_path / "c.dxl", [stamped, unmapped]), organization=org, mapping=mapping)
    assert {x["unid"] for x in report["skipped"]} == {s.unid(9), s.unid(10)}
    assert "kênh cơ yếu" in report["skipped"][1]["message"]
    assert not LegacyRecord.objects.exists() and not Document.objects.exists()


def test_a_number_already_used_keeps_the_record_and_reports_the_error(org, tmp_path, mapping):
    run_import(write(tmp_path / "a.dxl", [outgoing(5, subject="Thông báo kết luận hội nghị")]), organization=org, mapping=mapping)
    clash = outgoing(5, subject="Một văn bản khác cùng số")
    clash.unid = s.unid(55)
    report = run_import(write(tmp_path / "b.dxl", [clash]), organization=org, mapping=mapping)
    assert report["created"] == 1 and report["errors"][0]["unid"] == s.unid(55)
    assert "đã có trong sổ" in report["errors"][0]["message"]
    assert LegacyRecord.objects.get(unid=s.unid(55)).document is None
    assert Document.objects.filter(number=5).count() == 1


def test_a_truncated_file_keeps_the_notes_before_the_break_and_says_where(org, tmp_path, mapping):
    path = write(tmp_path / "cut.dxl", office_notes(), truncate_at=2)
    report = run_import(path, organization=org, mapping=mapping)
    assert report["complete"] is False and report["stopped_at"]["line"] > 10
    assert report["documents"] == 2 and set(LegacyRecord.objects.values_list("unid", flat=True)) == {s.unid(1), s.unid(2)}
    whole = run_import(write(tmp_path / "whole.dxl", office_notes()), organization=org, mapping=mapping)
    assert whole["created"] == 2 and whole["unchanged"] == 2 and LegacyRecord.objects.count() == 4


def test_a_dry_run_writes_nothing(org, export, mapping):
    report = run_import(export, organization=org, mapping=mapping, dry_run=True)
    assert report["created"] == 4 and report["dry_run"] is True
    assert not LegacyRecord.objects.exists() and not Document.objects.exists() and not NotesName.objects.exists()


def test_verify_passes_then_finds_a_changed_byte(org, export, mapping):
    run_import(export, organization=org, mapping=mapping)
    ok = verify_export(export, organization=org, mapping=mapping)
    assert ok["documents"] == 5 and ok["attachments"] == 2 and ok["mismatches"] == [] and ok["refused_classified"] == 1
    docx = LegacyAttachment.objects.get(name="du-thao.docx")
    p = path_for(docx.sha256)
    p.chmod(0o644)
    p.write_bytes(DOCX[:-1] + b"X")  # the store is shared by the tests: put it back after
    try:
        bad = verify_export(export, organization=org, mapping=mapping)
    finally:
        p.write_bytes(DOCX)
    assert [(m["unid"], m["problem"], m["name"]) for m in bad["mismatches"]] == [(s.unid(1), "attachment_bytes_differ", "du-thao.docx")]
    LegacyRecord.objects.filter(unid=s.unid(2)).delete()
    assert [m["problem"] for m in verify_export(export, organization=org, mapping=mapping)["mismatches"]] == ["missing"]


def test_a_mapping_file_is_checked_before_anything_runs():
    with pytest.raises(MappingError, match="register"):
        parse_mapping('[forms.A]\nregister = "sideways"\nsubject = "S"\ndefault_doc_type = "CV"\n')
    with pytest.raises(MappingError, match="unknown keys"):
        parse_mapping('[forms.A]\nregister = "outgoing"\nsubject = "S"\ndefault_doc_type = "CV"\nnumbr = "X"\n')
    with pytest.raises(MappingError, match="TOML"):
        parse_mapping("[forms.A\n")


def test_search_finds_a_record_typed_without_diacritics_and_outsiders_get_404(org, export, mapping, api_as):
    run_import(export, organization=org, mapping=mapping)
    mine = f.make_user(org, "specialist")
    outsider = f.make_user(f.make_org("Đảng bộ Sở Y tế"), "clerk")
    api = api_as(mine)
    found = api.get("/api/v1/legacy-records?q=y+kien+ban+to+chuc").json()
    assert found["count"] == 1 and found["items"][0]["form"] == "PhanHoi"
    assert api.get("/api/v1/legacy-records?q=dang%20ky%20thi%20dua").json()["items"][0]["unid"] == s.unid(2)
    assert api.get("/api/v1/legacy-records?form=VanBanDi").json()["count"] == 2
    rec = LegacyRecord.objects.get(unid=s.unid(1))
    detail = api.get(f"/api/v1/legacy-records/{rec.id}").json()
    assert {a["name"] for a in detail["attachments"]} >= {"ke-hoach-so-ket.pdf", "du-thao.docx"}
    assert "/migration/records/" in detail["html"] and "legacy-picture:" not in detail["html"]
    other = api_as(outsider)
    assert other.get(f"/api/v1/legacy-records/{rec.id}").status_code == 404
    assert other.get("/api/v1/legacy-records").json()["count"] == 0
    c = Client()
    c.force_login(outsider)
    assert c.get(f"/migration/records/{rec.id}/").status_code == 404
    att = rec.attachments.get(name="du-thao.docx")
    assert c.get(f"/migration/records/{rec.id}/files/{att.id}/").status_code == 404
    c.force_login(mine)
    page = c.get(f"/migration/records/{rec.id}/").content.decode()
    assert "Kế hoạch tổ chức hội nghị" in page and "<table" in page and "du-thao.docx" in page
    got = c.get(f"/migration/records/{rec.id}/files/{att.id}/")
    assert b"".join(got.streaming_content) == DOCX and got["Content-Type"] == "application/octet-stream"


def test_a_suggested_mapping_is_a_valid_starting_point(export, capsys):
    assert commands.notes(str(export), organization="", mapping=None, dry_run=False, suggest=True, username="") == 0
    text = capsys.readouterr().out
    suggested = parse_mapping(text)
    di = suggested.for_form("VanBanDi")
    assert di.register == "outgoing" and di.item("subject") == "TrichYeu" and di.item("symbol") == "SoKyHieu"
    assert suggested.for_form("VanBanDen").register == "incoming"


def test_the_command_reports_a_broken_file_on_its_last_line(org, tmp_path, capsys):
    path = write(tmp_path / "cut.dxl", office_notes(), truncate_at=1)
    assert commands.notes(str(path), organization=org.code, mapping=None, dry_run=False, suggest=False, username="") == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out.strip().splitlines()[-1])
    assert report["complete"] is False and report["documents"] == 1 and "dòng" in captured.err


def test_names_go_out_as_csv_and_come_back_filled(org, export, mapping, tmp_path, capsys):
    run_import(export, organization=org, mapping=mapping)
    user = f.make_user(org, "clerk", username="ltcuong")
    out = tmp_path / "names.csv"
    commands.names_export(str(out))
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "notes_name,username" and any(r.startswith("CN=Lê Văn Cường/OU=BTC/O=DUK,") for r in rows)
    out.write_text("notes_name,username\nCN=Lê Văn Cường/OU=BTC/O=DUK,ltcuong\n", encoding="utf-8")
    assert commands.names_import(str(out)) == 0
    assert NotesName.objects.get(name="CN=Lê Văn Cường/OU=BTC/O=DUK").user == user
    again = run_import(export, organization=org, mapping=mapping)
    assert "CN=Lê Văn Cường/OU=BTC/O=DUK" not in again["unmapped_names"]
    assert "CN=Trần Thị Bình/OU=VP/O=DUK" in again["unmapped_names"]


def test_a_form_mapped_later_enters_its_register_on_the_next_run(org, export, mapping):
    first = run_import(export, organization=org, mapping=parse_mapping(""))
    assert first["created"] == 4 and first["mapped"] == {} and not Document.objects.exists()
    again = run_import(export, organization=org, mapping=mapping)
    assert again["created"] == 0 and again["unchanged"] == 4 and again["mapped"] == {"incoming": 1, "outgoing": 2}
    assert Document.objects.count() == 3 and LegacyRecord.objects.get(unid=s.unid(1)).document.symbol == "01-CV/ĐUK"
    third = run_import(export, organization=org, mapping=mapping)
    assert third["mapped"] == {"incoming": 1, "outgoing": 2} and Document.objects.count() == 3


def test_the_verify_command_says_ok_then_exits_non_zero_on_a_missing_record(org, export, mapping, tmp_path, capsys):
    (tmp_path / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    run_import(export, organization=org, mapping=mapping)
    assert commands.verify(str(export), organization=org.code, mapping=str(tmp_path / "mapping.toml")) == 0
    ok = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert ok["documents"] == 5 and ok["attachments"] == 2 and ok["mismatches"] == []
    LegacyRecord.objects.filter(unid=s.unid(2)).delete()
    assert commands.verify(str(export), organization=org.code, mapping=str(tmp_path / "mapping.toml")) == 1
    bad = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [(m["unid"], m["problem"]) for m in bad["mismatches"]] == [(s.unid(2), "missing")]


def test_the_search_finds_legacy_records_beside_documents(org, export, mapping, api_as):
    """Typed without diacritics, the reply note (a form kept only as a legacy record) is found by
    the search every page has and by /api/v1/search; an outsider finds nothing of it."""
    run_import(export, organization=org, mapping=mapping)
    mine = f.make_user(org, "clerk")
    outsider = f.make_user(f.make_org("Đảng bộ Sở Y tế"), "clerk")
    rec = LegacyRecord.objects.get(form="PhanHoi")
    found = api_as(mine).get("/api/v1/search?q=y+kien+ban+to+chuc").json()
    [group] = found["others"]
    assert group["kind"] == "legacy_record" and group["count"] == 1 and group["count_exact"]
    assert group["items"][0]["id"] == rec.id and group["items"][0]["url"] == f"/migration/records/{rec.id}/"
    assert "<mark>" in group["items"][0]["snippet"]
    assert api_as(mine).get(f"/api/v1/search?q=y+kien+ban+to+chuc&organization_id={org.id}").json()["others"][0]["count"] == 1
    assert api_as(mine).get("/api/v1/search?q=y+kien+ban+to+chuc&type=CV").json()["others"] == []  # a documents-only filter
    assert api_as(outsider).get("/api/v1/search?q=y+kien+ban+to+chuc").json()["others"] == []
    c = Client()
    c.force_login(mine)
    page = c.get("/search/?q=Y+KIEN+BAN+TO+CHUC").content.decode()
    assert "Hồ sơ cũ từ Lotus Notes" in page and f'href="/migration/records/{rec.id}/"' in page
    c.force_login(outsider)
    assert f"/migration/records/{rec.id}/" not in c.get("/search/?q=y+kien+ban+to+chuc").content.decode()
