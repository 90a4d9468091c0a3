"""The DXL reader: every item kind, rich text, attachments of any size, and files that break."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from vanthu.migration import samples as s
from vanthu.migration.dxl import DesignNote, ExportError, Note, parse_datetime, read_export

from .conftest import AN, BINH, DOCX, office_notes, write


def notes_of(path) -> list[Note]:
    with open(path, "rb") as fh:
        return [n for n in read_export(fh) if isinstance(n, Note)]


def test_notes_datetimes_keep_their_offset():
    d = parse_datetime("20090602T165055,48+02")
    assert (d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond) == (2009, 6, 2, 16, 50, 55, 480000)
    assert d.utcoffset() == timedelta(hours=2)
    assert parse_datetime("20110610T091505,27+07").utcoffset() == timedelta(hours=7)
    assert parse_datetime("20110610").utcoffset() == timedelta(hours=7)  # no offset: Vietnam's
    assert parse_datetime("20110610T091505-0530").utcoffset() == -timedelta(hours=5, minutes=30)
    assert parse_datetime("T091505,27") is None and parse_datetime("20111340") is None and parse_datetime("") is None


def test_every_item_kind_is_read(export):
    notes = notes_of(export)
    assert [n.form for n in notes] == ["VanBanDi", "VanBanDi", "VanBanDi", "VanBanDen", "PhanHoi"]
    first = notes[0]
    assert first.unid == s.unid(1) and first.note_id == "8f1" and first.sequence == 1
    assert first.created == "20110602T091505,27+07" and first.updated_by == [AN, BINH]
    kinds = {i["name"]: i["type"] for i in first.items}
    assert kinds["SoVB"] == "number" and kinds["SoKyHieu"] == "text" and kinds["NgayBanHanh"] == "datetime"
    assert kinds["NoiNhan"] == "textlist" and kinds["NgayXuLy"] == "datetimelist" and kinds["Body"] == "richtext"
    assert first.item("SoVB")["values"] == [1] and first.item("SoTrang")["values"] == [2.5]
    assert first.first("TrichYeu") == "Kế hoạch tổ chức hội nghị sơ kết 6 tháng đầu năm 2011"
    assert first.item("NguoiKy")["flags"] == ["names", "summary"]
    assert "authors" in first.item("TacGia")["flags"] and "readers" in first.item("NguoiDoc")["flags"]
    assert first.authors() == [BINH]
    assert "CN=Lê Văn Cường/OU=BTC/O=DUK" in first.names()


def test_rich_text_becomes_safe_html_with_its_table_and_picture(export):
    body = notes_of(export)[0].item("Body")
    assert "<table" in body["html"] and "<td><p>Chi bộ Văn phòng</p></td>" in body["html"]
    assert "<strong>Kế hoạch tổ chức" in body["html"]
    assert 'src="legacy-picture:' in body["html"]
    assert "Chi bộ Văn phòng\n23" in body["text"]
    assert "du-thao.docx" in body["text"]


def test_rich_text_cannot_smuggle_markup(tmp_path):
    note = office_notes()[1]
    note.items.append(s.richtext("Ghi chu", ['<script>alert("x")</script><img src=x onerror=alert(1)>']))
    body = notes_of(write(tmp_path / "x.dxl", [note]))[0].item("Ghi chu")["html"]
    assert "<script" not in body and "<img src=x" not in body and "&lt;script&gt;" in body


def test_two_attachments_and_an_embedded_picture_are_decoded_byte_for_byte(export):
    first = notes_of(export)[0]
    assert [a.name for a in first.attachments] == ["ke-hoach-so-ket.pdf", "du-thao.docx"]
    assert first.attachments[1].data == DOCX
    assert [p.data for p in first.pictures] == [s.GIF]


def test_a_response_points_to_its_parent(export):
    notes = notes_of(export)
    assert notes[4].parent_unid == notes[0].unid
    assert notes[4].created.endswith("+02")


def test_a_30_mb_attachment_in_one_text_node(tmp_path):
    size = 30 * 1024 * 1024
    path = write(tmp_path / "big.dxl", office_notes(big=size))
    big = notes_of(path)[-1].attachments[0]
    assert big.size == size
    assert big.sha256 == s.digest_of(s.noise(size, "ghi-am"))[0]


def test_design_notes_and_acl_are_seen_not_taken_for_documents(export):
    with open(export, "rb") as fh:
        reader = read_export(fh)
        found = list(reader)
        assert reader.info.title == "Văn thư điện tử - Đảng ủy Khối"
    assert sorted(d.kind for d in found if isinstance(d, DesignNote)) == ["agent", "form", "form", "form", "view"]


def test_a_truncated_file_names_the_line_and_keeps_what_came_before(tmp_path):
    path = write(tmp_path / "cut.dxl", office_notes(), truncate_at=2)
    got = []
    with open(path, "rb") as fh, pytest.raises(ExportError) as caught:
        for n in read_export(fh):
            if isinstance(n, Note):
                got.append(n.unid)
    assert got == [s.unid(1), s.unid(2)]
    assert caught.value.line and caught.value.line > 10


def test_a_malformed_file_names_the_line(tmp_path):
    path = tmp_path / "bad.dxl"
    path.write_bytes(b"<?xml version='1.0'?>\n<database xmlns='http://www.lotus.com/dxl'>\n<document form='A'>\n"
                     b"<noteinfo unid='x'></document>\n</database>\n")
    with open(path, "rb") as fh, pytest.raises(ExportError) as caught:
        list(read_export(fh))
    assert caught.value.line == 4


def test_entities_are_never_expanded_nor_fetched(tmp_path):
    path = tmp_path / "evil.dxl"
    path.write_bytes(b"<?xml version='1.0'?>\n<!DOCTYPE database [<!ENTITY x SYSTEM 'file:///etc/passwd'>"
                     b"<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>\n"
                     b"<database xmlns='http://www.lotus.com/dxl'><document form='A'><noteinfo unid='"
                     + b"A" * 32 + b"'/><item name='T'><text>&x;&b;</text></item></document></database>")
    with open(path, "rb") as fh, pytest.raises(ExportError, match="DTD with declarations"):
        list(read_export(fh))
    # A declared UTF-16 cannot hide the declarations from the check: the file is read as UTF-8.
    path.write_bytes(b"<?xml version='1.0' encoding='UTF-16'?>\n" + path.read_bytes().split(b"\n", 1)[1])
    with open(path, "rb") as fh, pytest.raises(ExportError):
        list(read_export(fh))


def test_a_file_that_is_not_dxl_is_refused(tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(b"<html><body>hello</body></html>")
    with open(path, "rb") as fh, pytest.raises(ExportError):
        list(read_export(fh))


def test_the_digest_covers_the_whole_file(export):
    with open(export, "rb") as fh:
        reader = read_export(fh)
        list(reader)
        assert reader.sha256() == hashlib.sha256(export.read_bytes()).hexdigest()
