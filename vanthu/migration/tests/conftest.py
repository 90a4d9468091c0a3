"""A small Notes database of a party office, written as DXL by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from vanthu.documents.doctypes import ensure_document_types
from vanthu.documents.pdfgen import make_pdf
from vanthu.migration import samples as s
from vanthu.testing import factories as f

AN = "CN=Nguyễn Văn An/OU=VP/O=DUK"
BINH = "CN=Trần Thị Bình/OU=VP/O=DUK"
CUONG = "CN=Lê Văn Cường/OU=BTC/O=DUK"

MAPPING = """
[forms.VanBanDi]
register = "outgoing"
number = "SoVB"
symbol = "SoKyHieu"
date = "NgayBanHanh"
doc_type = "LoaiVB"
subject = "TrichYeu"
signer = "NguoiKy"
recipients = "NoiNhan"
confidentiality = "DoMat"
term = "2015-2020"

[forms.VanBanDen]
register = "incoming"
incoming_number = "SoDen"
received = "NgayDen"
symbol = "SoKyHieu"
date = "NgayBanHanh"
default_doc_type = "CV"
issuer = "CoQuanBanHanh"
subject = "TrichYeu"

[names]
"CN=Nguyễn Văn An/OU=VP/O=DUK" = "nva"
"""

DOCX = b"PK\x03\x04" + "Nội dung dự thảo kế hoạch (bản Word)".encode() * 40


def outgoing(n: int, *, subject: str, files: list[s.File] = (), marking: str = "Thường", sequence: int = 1,
             body: list[str] | None = None, picture: bool = False, table: bool = False) -> s.SampleNote:
    return s.SampleNote(
        form="VanBanDi", unid=s.unid(n), note_id=f"{0x8f0 + n:x}", sequence=sequence,
        created=f"201106{n % 28 + 1:02d}T091505,27+07", modified=f"201106{n % 28 + 1:02d}T16{sequence:02d}55,48+07",
        updated_by=[AN, BINH],
        items=[
            s.number("SoVB", n), s.text("SoKyHieu", f"{n:02d}-CV/ĐUK"), s.text("LoaiVB", "CV"),
            s.dt("NgayBanHanh", f"201106{n % 28 + 1:02d}"), s.text("TrichYeu", subject),
            s.text("NguoiKy", AN, names=True), s.textlist("NoiNhan", ["Các đảng bộ cơ sở", "Lưu VP"]),
            s.text("DoMat", marking), s.text("TacGia", BINH, authors=True), s.textlist("NguoiDoc", [AN, CUONG], readers=True),
            s.dtlist("NgayXuLy", ["20110602T080000,00+07", "20110603T140000,00+07"]), s.number("SoTrang", 2.5),
            s.richtext("Body", body or [subject, "Căn cứ Điều lệ Đảng; căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ Khối."],
                       table=[["Đơn vị", "Số đảng viên"], ["Chi bộ Văn phòng", "23"]] if table else None,
                       picture=s.GIF if picture else None, attachment_refs=[x.name for x in files]),
        ],
        files=list(files),
    )


def incoming(n: int, *, subject: str, parent: str = "") -> s.SampleNote:
    items = [s.number("SoDen", n), s.dt("NgayDen", f"201107{n % 28 + 1:02d}T103000,00+07"),
             s.text("SoKyHieu", f"{n}-CV/TU"), s.dt("NgayBanHanh", f"201107{n % 28 + 1:02d}"),
             s.text("CoQuanBanHanh", "Thành ủy Hà Nội"), s.text("TrichYeu", subject)]
    return s.SampleNote(form="VanBanDen", unid=s.unid(1000 + n), note_id=f"{0xa00 + n:x}",
                        created=f"201107{n % 28 + 1:02d}T103000,00+07", modified=f"201107{n % 28 + 1:02d}T103000,00+07",
                        updated_by=[CUONG], items=items)


def response(n: int, parent: str) -> s.SampleNote:
    return s.SampleNote(form="PhanHoi", unid=s.unid(2000 + n), note_id=f"{0xc00 + n:x}",
                        created="20110710T090000,00+02", modified="20110710T090000,00+02", updated_by=[CUONG],
                        items=[s.ref(parent), s.text("Subject", "Ý kiến của Ban Tổ chức về dự thảo"),
                               s.richtext("Body", ["Đề nghị bổ sung số liệu quý II."])])


def office_notes(*, big: int = 0) -> list[s.SampleNote]:
    pdf = make_pdf(["ĐẢNG BỘ KHỐI CÁC CƠ QUAN THÀNH PHỐ", "Kế hoạch tổ chức hội nghị"])
    notes = [
        outgoing(1, subject="Kế hoạch tổ chức hội nghị sơ kết 6 tháng đầu năm 2011", picture=True, table=True,
                 files=[s.File("ke-hoach-so-ket.pdf", pdf), s.File("du-thao.docx", DOCX)]),
        outgoing(2, subject="Về việc đăng ký thi đua năm 2011"),
        outgoing(3, subject="Báo cáo tình hình thực hiện nhiệm vụ (mật)", marking="Mật"),
        incoming(7, subject="Hướng dẫn tổ chức Đại hội chi bộ nhiệm kỳ 2011-2013"),
    ]
    notes.append(response(1, notes[0].unid))
    if big:
        notes.append(outgoing(4, subject="Hồ sơ hội nghị (bản ghi âm)", files=[s.File("ghi-am.wav", chunks=s.noise(big, "ghi-am"))]))
    return notes


def write(path: Path, notes: list[s.SampleNote], **kw) -> Path:
    with path.open("wb") as fh:
        s.write_export(fh, notes, **kw)
    return path


@pytest.fixture
def org(db):
    ensure_document_types()
    return f.make_org("Đảng ủy Khối các cơ quan Thành phố", short_name="ĐUK", code="000.00.31.H26")


@pytest.fixture
def export(tmp_path) -> Path:
    return write(tmp_path / "vanthu.dxl", office_notes())
