"""Archival packages: exported for a year (a directory or one ZIP), checked by `vanthu archive
verify` alone, then each signed PDF in it by pyHanko's validation; tampering reported precisely."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from vanthu.archive import actions, commands
from vanthu.archive.models import Archivist, CaseFile
from vanthu.archive.package import UNFILED, export_package, verify_package
from vanthu.documents.models import Document
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.signatures.verify import verify_pdf
from vanthu.testing import factories as f

YEAR = dt.date.today().year


@pytest.fixture
def archived_year(world):
    """A year of A's: two documents filed and the file closed and handed over, one left unfiled."""
    a = world.a
    ensure_demo_ca()
    Archivist.objects.create(organization=a.org, user=a.leader)
    fl = actions.create_file_list(user=a.clerk, organization=a.org, year=YEAR)
    cf = actions.open_case_file(actions.add_entry(fl, user=a.clerk, code="01.01", title="Hồ sơ chỉ đạo công tác chuyển đổi số",
                                                  retention="VV", responsible_id=a.specialist.id), user=a.specialist)
    docs = [f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], subject=s)
            for s in ("Kế hoạch chuyển đổi số năm nay", "Báo cáo sơ kết chuyển đổi số", "Thông báo lịch họp chi ủy")]
    for d in docs[:2]:
        actions.add_document(cf, user=a.specialist, document_id=d.id)
    actions.add_record(cf, user=a.specialist, name="ghi-chep.pdf", data=f.pdf_bytes("Ghi chép hội nghị"), title="Ghi chép hội nghị")
    cf = actions.close_case_file(cf, user=a.specialist)
    h = actions.prepare_handover(user=a.clerk, organization=a.org, year=YEAR, case_file_ids=[cf.id])
    actions.sign_handover(actions.sign_handover(h, user=a.clerk), user=a.leader)
    return a.org, docs


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_years_package_verifies_on_its_own_and_its_signatures_with_pyhanko(archived_year, tmp_path, capsys):
    org, docs = archived_year
    target = tmp_path / "goi"
    assert commands.archive_export(organization=org.code, directory=str(target), year=YEAR) == 0
    exported = _last_json(capsys)
    assert exported["documents"] == 3 and exported["case_files"] == 1 and not exported["missing"]
    assert commands.archive_verify(str(target)) == 0
    report = _last_json(capsys)
    assert report == {"files": exported["files"] + 3, "problems": []}  # the payload and bagit, bag-info, manifest
    meta = json.loads((target / "data" / "archive.json").read_text())
    assert [d["id"] for d in meta["unfiled"]] == [docs[2].id]
    assert (target / "data" / str(YEAR) / UNFILED / f"{docs[2].id}-signed-1.pdf").is_file()
    assert meta["handovers"] and (target / meta["handovers"][0]["record"]).exists()
    assert b"<archive" in (target / "data" / "archive.xml").read_bytes()
    # Every signed PDF in the package, checked by pyHanko against the installation's trust roots.
    signed = [p for p in target.rglob("*.pdf") if b"/ByteRange" in p.read_bytes()]
    assert len(signed) >= 4  # three sealed documents and the handover record
    for pdf in signed:
        assert verify_pdf(pdf.read_bytes()).status == "valid", pdf


def _tamper(target: Path) -> tuple[str, str, str]:
    """One byte of one file changed, one file removed, one file added: their package paths."""
    pdfs = sorted(p for p in (target / "data").rglob("*.pdf"))
    changed, removed = pdfs[0], pdfs[1]
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed.write_bytes(bytes(data))
    removed.unlink()
    extra = target / "data" / "them.pdf"
    extra.write_bytes(b"%PDF-1.4 them vao")
    return tuple(p.relative_to(target).as_posix() for p in (changed, removed, extra))


def test_a_tampered_directory_is_reported_file_by_file(archived_year, tmp_path, capsys):
    org, _docs = archived_year
    target = tmp_path / "goi"
    export_package(org, target, year=YEAR)
    changed, removed, extra = _tamper(target)
    assert commands.archive_verify(str(target)) == 1
    report = _last_json(capsys)
    assert sorted((p["problem"], p["path"]) for p in report["problems"]) == sorted(
        [("changed", changed), ("missing", removed), ("unexpected", extra)])


def test_a_tampered_zip_is_reported_file_by_file(archived_year, tmp_path, capsys):
    org, _docs = archived_year
    assert commands.archive_export(organization=org.code, directory=str(tmp_path / "goi"), year=YEAR, as_zip=True) == 0
    package = tmp_path / "goi.zip"
    assert commands.archive_verify(str(package)) == 0
    capsys.readouterr()
    unpacked = tmp_path / "mo"
    with zipfile.ZipFile(package) as z:
        z.extractall(unpacked)
    changed, removed, extra = _tamper(unpacked)
    tampered = tmp_path / "sua.zip"
    with zipfile.ZipFile(tampered, "w") as z:
        for p in sorted(unpacked.rglob("*")):
            if p.is_file():
                z.write(p, p.relative_to(unpacked).as_posix())
    assert commands.archive_verify(str(tampered)) == 1
    report = _last_json(capsys)
    assert {(p["problem"], p["path"]) for p in report["problems"]} == {("changed", changed), ("missing", removed), ("unexpected", extra)}


def test_a_changed_manifest_is_caught_by_the_tag_manifest(archived_year, tmp_path, capsys):
    org, _docs = archived_year
    target = tmp_path / "goi"
    export_package(org, target, year=YEAR)
    manifest = target / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text().replace("data/archive.xml", "data/archive2.xml"))
    assert commands.archive_verify(str(target)) == 1
    problems = {(p["problem"], p["path"]) for p in _last_json(capsys)["problems"]}
    assert ("changed", "manifest-sha256.txt") in problems and ("unexpected", "data/archive.xml") in problems


def test_export_refuses_an_unknown_organisation_and_an_existing_path(archived_year, tmp_path, capsys):
    org, _docs = archived_year
    assert commands.archive_export(organization="000.00.99.H99", directory=str(tmp_path / "x")) == 2
    (tmp_path / "co").mkdir()
    assert commands.archive_export(organization=org.code, directory=str(tmp_path / "co")) == 2
    assert Document.objects.filter(issuer=org).count() == 3


def test_a_case_file_package_over_the_api_follows_the_reading_rules(archived_year, api_as, world, tmp_path):
    cf = CaseFile.objects.get(code="01.01")
    r = api_as(world.a.leader).get(f"/api/v1/archive/case-files/{cf.id}/package")  # the archivist
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    package = tmp_path / "hoso.zip"
    package.write_bytes(b"".join(r.streaming_content))
    assert verify_package(package)["problems"] == []
    with zipfile.ZipFile(package) as z:
        assert any(n.endswith("muc-luc-van-ban.pdf") for n in z.namelist())
    assert api_as(world.a.specialist).get(f"/api/v1/archive/case-files/{cf.id}/package").status_code == 404  # handed over
    assert api_as(world.b.clerk).get(f"/api/v1/archive/case-files/{cf.id}/package").status_code == 404
