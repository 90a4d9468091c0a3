"""The demo's Lotus Notes database: a year of the Bloc office's old operations system (2014),
exported as DXL and imported as an administrator would, with a mapping to the registers.

What it shows: legacy records of every form (outgoing, incoming, a leader's response, the
office's notes), their rich text, tables and attachments; the mapped ones in the registers with
their 2014 numbers (term 2010-2015); a classified note refused; the import's report on the
administrator's page.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from vanthu.documents.pdfgen import make_pdf
from vanthu.migration import samples as s
from vanthu.migration.actions import uploads_dir
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import parse_mapping
from vanthu.migration.models import ImportRun
from vanthu.migration.verify import verify_export

from .world import World

MAPPING = """
[forms.VanBanDi]
register = "outgoing"
number = "SoVB"
symbol = "SoKyHieu"
date = "NgayBanHanh"
doc_type = "LoaiVB"
subject = "TrichYeu"
signer = "NguoiKy"
confidentiality = "DoMat"
term = "2010-2015"

[forms.VanBanDen]
register = "incoming"
incoming_number = "SoDen"
received = "NgayDen"
symbol = "SoKyHieu"
date = "NgayBanHanh"
default_doc_type = "CV"
issuer = "CoQuanBanHanh"
subject = "TrichYeu"
confidentiality = "DoMat"
"""

VP = "CN=Nguyễn Thị Hồng Hạnh/OU=VanPhong/O=DangUyKhoi"
BT = "CN=Phạm Quang Thanh/OU=ThuongTruc/O=DangUyKhoi"
TC = "CN=Đỗ Minh Tuấn/OU=BanToChuc/O=DangUyKhoi"

OUTGOING = [
    ("NQ", "Nghị quyết về nhiệm vụ trọng tâm công tác xây dựng Đảng năm 2014"),
    ("KH", "Kế hoạch tổ chức Đại hội chi bộ trực thuộc nhiệm kỳ 2014-2016"),
    ("HD", "Hướng dẫn kiểm điểm, đánh giá, xếp loại tổ chức cơ sở đảng năm 2014"),
    ("TB", "Thông báo kết luận của Thường trực Đảng ủy Khối về công tác phát triển đảng viên"),
    ("BC", "Báo cáo sơ kết 6 tháng đầu năm 2014 thực hiện Nghị quyết Trung ương 4 khóa XI"),
    ("CV", "Về việc tổ chức học tập chuyên đề năm 2014 “Học tập và làm theo tấm gương đạo đức Hồ Chí Minh”"),
    ("CV", "Về việc báo cáo số lượng đảng viên được tặng Huy hiệu Đảng đợt 7/11/2014"),
    ("KH", "Kế hoạch kiểm tra, giám sát năm 2014 của Ủy ban Kiểm tra Đảng ủy Khối"),
    ("CTr", "Chương trình công tác tháng 10 năm 2014 của Ban Thường vụ Đảng ủy Khối"),
    ("QĐ", "Quyết định thành lập Tổ công tác rà soát hồ sơ đảng viên"),
    ("CV", "Về việc triển khai phần mềm quản lý văn bản trên mạng diện rộng của Đảng"),
    ("TB", "Thông báo lịch làm việc của Thường trực Đảng ủy Khối tuần 42"),
]
INCOMING = [
    "Hướng dẫn tổ chức hội nghị báo cáo viên tháng 9 năm 2014",
    "Về việc chuẩn bị tổng kết 10 năm thực hiện Nghị quyết số 17-NQ/TW",
    "Thông báo ý kiến của Thường trực Thành ủy về công tác cán bộ",
    "Về việc rà soát, bổ sung quy hoạch cấp ủy nhiệm kỳ 2015-2020",
    "Kế hoạch tổ chức Đại hội Đảng bộ các cấp tiến tới Đại hội Đảng bộ Thành phố lần thứ XVI",
    "Về việc gửi báo cáo tình hình tư tưởng cán bộ, đảng viên quý III năm 2014",
]
TYPE_NAMES = {"NQ": "Nghị quyết", "KH": "Kế hoạch", "HD": "Hướng dẫn", "TB": "Thông báo", "BC": "Báo cáo",
              "CV": "Công văn", "CTr": "Chương trình", "QĐ": "Quyết định"}


def _office_doc(name: str, body: str) -> bytes:
    """A small stand-in for the Word and Excel files the office attached (the bytes are what matter)."""
    return ("PK\x03\x04" + f"{name}\n{body}\n" * 8).encode()


def demo_notes() -> list[s.SampleNote]:
    """The year in date order: each register's numbers run from 01 without a gap, as the office kept them."""
    notes: list[s.SampleNote] = []
    numbers: dict[str, int] = {}
    for i, (code, subject) in enumerate(OUTGOING, start=1):
        numbers[code] = numbers.get(code, 0) + 1
        number, day = numbers[code], f"2014{(i - 1) // 3 + 3:02d}{(i * 7) % 27 + 1:02d}"
        symbol = f"{number:02d}-{code}/ĐUK"
        files = [s.File(f"{code}-{number:02d}-2014.pdf", make_pdf([symbol, subject[:90], "Nơi nhận: Các đảng bộ cơ sở; Lưu VP."])),
                 s.File(f"{code}-{number:02d}-2014.doc", _office_doc(subject, "Bản Word của văn bản."))]
        if i % 4 == 0:
            files.append(s.File(f"phu-luc-{code}-{number:02d}.xls", _office_doc("Phụ lục số liệu", "Đơn vị;Số đảng viên")))
        notes.append(s.SampleNote(
            form="VanBanDi", unid=s.unid(i, "demo-di"), note_id=f"{0x1f00 + i:x}", created=f"{day}T081530,12+07",
            modified=f"{day}T164502,88+07", updated_by=[VP, BT], sequence=1 + i % 2,
            items=[s.number("SoVB", number), s.text("SoKyHieu", symbol), s.text("LoaiVB", TYPE_NAMES[code]),
                   s.dt("NgayBanHanh", f"{day}T160000,00+07"), s.text("TrichYeu", subject), s.text("NguoiKy", BT, names=True),
                   s.textlist("NoiNhan", ["Các đảng bộ cơ sở trực thuộc", "Thường trực Đảng ủy Khối", "Lưu VP"]),
                   s.text("DoMat", "Thường"), s.text("TacGia", VP, authors=True),
                   s.richtext("Body", [subject, "Căn cứ Điều lệ Đảng và Quy chế làm việc của Ban Chấp hành Đảng bộ Khối khóa XI;",
                                       "Ban Thường vụ Đảng ủy Khối yêu cầu các cấp ủy cơ sở triển khai thực hiện nghiêm túc."],
                              table=[["Nội dung", "Thời gian"], ["Triển khai", "Tháng 9/2014"], ["Báo cáo kết quả", "Tháng 12/2014"]]
                              if i % 3 == 0 else None, picture=s.GIF if i == 1 else None, attachment_refs=[f.name for f in files])],
            files=files))
    for i, subject in enumerate(INCOMING, start=1):
        day = f"2014{i + 3:02d}{(i * 5) % 27 + 1:02d}"
        notes.append(s.SampleNote(
            form="VanBanDen", unid=s.unid(i, "demo-den"), note_id=f"{0x2f00 + i:x}", created=f"{day}T091000,00+07",
            modified=f"{day}T091000,00+07", updated_by=[VP],
            items=[s.number("SoDen", i), s.dt("NgayDen", f"{day}T091000,00+07"), s.text("SoKyHieu", f"{150 + i}-CV/TU"),
                   s.dt("NgayBanHanh", day), s.text("CoQuanBanHanh", "Thành ủy Hà Nội"), s.text("TrichYeu", subject),
                   s.text("DoMat", "")],
            files=[s.File(f"{150 + i}-CV-TU.pdf", make_pdf([f"THÀNH ỦY HÀ NỘI — Số {150 + i}-CV/TU", subject[:90]]))]))
    notes.append(s.SampleNote(
        form="PhanHoi", unid=s.unid(1, "demo-ph"), note_id="3f01", created="20140915T143000,00+07",
        modified="20140915T143000,00+07", updated_by=[TC],
        items=[s.ref(notes[1].unid), s.text("Subject", "Ý kiến của Ban Tổ chức về dự thảo Kế hoạch Đại hội chi bộ"),
               s.richtext("Body", ["Đề nghị bổ sung phần phân công nhân sự chuẩn bị văn kiện và thời gian hoàn thành."])]))
    notes.append(s.SampleNote(
        form="GhiChep", unid=s.unid(1, "demo-gc"), note_id="3f02", created="20141003T080000,00+07",
        modified="20141006T170000,00+07", updated_by=[VP],
        items=[s.text("Subject", "Sổ ghi chép giao ban Văn phòng tuần 40"), s.dtlist("NgayGiaoBan", ["20141003", "20141006"]),
               s.richtext("Body", ["Chuẩn bị hội nghị Ban Chấp hành mở rộng; rà soát danh mục hồ sơ năm 2014."])]))
    notes.append(s.SampleNote(  # refused: never enters (invariant 5), listed in the report
        form="VanBanDen", unid=s.unid(99, "demo-den"), note_id="3f03", created="20141010T100000,00+07",
        modified="20141010T100000,00+07", updated_by=[VP],
        items=[s.text("TrichYeu", "Về công tác bảo vệ chính trị nội bộ"), s.text("DoMat", "Mật"), s.number("SoDen", 999)]))
    return notes


def seed_legacy(world: World) -> ImportRun:
    """Import the demo's Notes export for the Bloc, recorded as the administrator's run. The export
    is kept where the administrator's page keeps an upload, and read again once (the byte-for-byte
    verification), so the run's page shows the verification and can run it again."""
    org = world.bloc.org
    path = uploads_dir() / f"{uuid.uuid4().hex}.dxl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        s.write_export(fh, demo_notes(), title="Văn phòng Đảng ủy Khối - Văn bản năm 2014")
    mapping = parse_mapping(MAPPING)
    run = ImportRun.objects.create(organization=org, file_name="vanphong-dukhoi-2014.dxl", file_path=str(path),
                                   file_size=path.stat().st_size, mapping_text=MAPPING, started_by=world.admin)
    run_import(path, organization=org, mapping=mapping, user=world.admin, run=run)
    verification = verify_export(path, organization=org, mapping=mapping)
    ImportRun.objects.filter(pk=run.pk).update(verification={**verification, "status": "done", "at": timezone.now().isoformat()})
    run.refresh_from_db()
    return run
