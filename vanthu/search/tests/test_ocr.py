"""OCR of a real scanned page in Vietnamese, made here: text rendered to an image, wrapped in a
PDF without a text layer, registered as a paper document; its words must then be found."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

from vanthu.documents.pdfgen import FONT_CANDIDATES
from vanthu.documents.storage import read_blob
from vanthu.search import ocr
from vanthu.search.models import FileOcr, OcrStatus

from .conftest import ids

LINES = [
    "ĐẢNG BỘ KHỐI CÁC CƠ QUAN",
    "THÀNH PHỐ HÀ NỘI",
    "",
    "THÔNG BÁO",
    "Về việc phòng chống thiên tai",
    "và tìm kiếm cứu nạn năm 2026",
    "",
    "Đề nghị các đồng chí bí thư",
    "chỉ đạo chuẩn bị lực lượng.",
]


def scanned_pdf() -> bytes:
    """A 200 dpi A4-ish page image with Vietnamese text, saved as an image-only PDF."""
    path = next(p for p in FONT_CANDIDATES if __import__("os").path.exists(p))
    font = ImageFont.truetype(path, 44)
    img = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(img)
    y = 160
    for line in LINES:
        draw.text((140, y), line, font=font, fill=0)
        y += 80
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=200.0)
    return buf.getvalue()


def test_scanned_page_is_ocred_in_the_background_and_found(world, api_as, paper_doc):
    assert ocr.available(), "ocrmypdf and tesseract-ocr-vie must be installed (.ci/run installs them)"
    data = scanned_pdf()
    doc = paper_doc("Văn bản giấy đã quét", number_symbol="31-TB/ĐUK", data=data, to=world.b)
    stored = doc.files.get().file
    assert stored.text.strip() == ""  # no text layer: only OCR can find its words
    row = FileOcr.objects.get(file=stored)
    assert row.status == OcrStatus.DONE, row.error
    # The original bytes are untouched; the recognised text lives beside them.
    assert hashlib.sha256(read_blob(stored.sha256)).hexdigest() == stored.sha256 == hashlib.sha256(data).hexdigest()
    assert "thiên tai" in row.text.lower()
    api = api_as(world.b.clerk)
    assert ids(api.get("/api/v1/search", q="phong chong thien tai")) == [doc.id]
    assert ids(api.get("/api/v1/search", q='"tim kiem cuu nan"')) == [doc.id]
    assert ids(api.get("/api/v1/search", q="lực lượng")) == [doc.id]
    assert ids(api_as(world.c.clerk).get("/api/v1/search", q="thien tai")) == []
