"""Real PDFs laid out like a party document's first page (Hướng dẫn 36-HD/VPTW), with or without
a classification stamp, for the tests of every door that takes a file.

Left: the superior and issuing committees, "*", the number "Số 15-NQ/ĐU"; right: the party's name
and "Hà Nội, ngày …" on the line of the number; then the type, the subject and the text. Things
set on one line share a text object, so the PDF's text layer reads them as one line, as a word
processor's output does.
"""

from __future__ import annotations

import io
import unicodedata

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanthu.documents.pdfgen import font_name

WIDTH, HEIGHT = A4
LEFT, RIGHT = 60, 320
Line = list[tuple[float, str]]  # the segments of one line: (x, text)

SUBJECT = "về tăng cường công tác bảo vệ bí mật nhà nước trong các tổ chức đảng"
BODY = [
    "Thực hiện Quy định số 123-QĐ/TW về bảo vệ bí mật nhà nước và Luật Bảo vệ bí mật nhà nước,",
    "Ban Thường vụ Đảng ủy đánh giá: công tác bảo mật, quản lý mật khẩu và thiết bị lưu trữ",
    "còn có nơi chưa nghiêm; việc chuyển văn bản mật phải qua kênh cơ yếu, không qua hệ thống",
    "văn phòng điện tử. Mặt trận Tổ quốc và các đoàn thể phối hợp tuyên truyền.",
    "QUYẾT NGHỊ:",
    "1. Quán triệt Chỉ thị của Ban Bí thư về công tác BẢO VỆ BÍ MẬT NHÀ NƯỚC, MẬT MÃ.",
    "2. Mỗi đảng viên giữ gìn bí",
    "mật.",
]


def first_page(stamp: str | None = None, *, where: str = "below_number", body: list[str] | None = None) -> list[Line]:
    """The lines of a first page; the stamp, if any, below the number (its usual place), on the
    number's line, or alone above the type."""
    number: Line = [(LEFT, "Số 15-NQ/ĐU"), (RIGHT, "Hà Nội, ngày 05 tháng 11 năm 2026")]
    if stamp and where == "number_line":
        number.insert(1, (LEFT + 100, stamp))
    lines: list[Line] = [
        [(LEFT, "ĐẢNG BỘ KHỐI CÁC CƠ QUAN"), (RIGHT, "ĐẢNG CỘNG SẢN VIỆT NAM")],
        [(LEFT, "THÀNH PHỐ HÀ NỘI")],
        [(LEFT, "ĐẢNG ỦY SỞ TÀI CHÍNH")],
        [(LEFT + 60, "*")],
        number,
    ]
    if stamp and where == "below_number":
        lines.append([(LEFT + 30, stamp)])
    lines += [[(250, "NGHỊ QUYẾT")], [(LEFT, SUBJECT)], [(250, "-----")]]
    lines += [[(LEFT, text)] for text in (BODY if body is None else body)]
    return lines


def cover_slip() -> list[Line]:
    """A transmittal slip put in front of the document (phiếu gửi): page 1 of two."""
    return [[(LEFT, "PHIẾU GỬI VĂN BẢN")], [(LEFT, "Kính gửi: Văn phòng Đảng ủy Khối")],
            [(LEFT, "Gửi kèm Nghị quyết số 15-NQ/ĐU ngày 05/11/2026 (02 bản).")]]


def pdf(*pages: list[Line]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    font = font_name()
    for lines in pages:
        y = HEIGHT - 60
        for segments in lines:
            text = c.beginText()
            text.setFont(font, 12)
            for x, s in segments:
                text.setTextOrigin(x, y)
                text.textOut(s)
            c.drawText(text)
            y -= 18
        c.showPage()
    c.save()
    return buf.getvalue()


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Stamps the check of today's code let through, each on a real first page (or second).
STAMPED = {
    "full-stop": lambda: pdf(first_page("MẬT.")),
    "letter-spaced": lambda: pdf(first_page("M Ậ T")),
    "without-marks": lambda: pdf(first_page("MAT")),
    "on-the-number-line": lambda: pdf(first_page("MẬT", where="number_line")),
    "top-secret-on-the-number-line": lambda: pdf(first_page(nfd("TUYỆT MẬT"), where="number_line")),
    "on-page-two": lambda: pdf(cover_slip(), first_page("TỐI MẬT")),
}
