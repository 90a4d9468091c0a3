"""OCR is bounded: a scan is recognised once (never again as its signed or sealed copy), only its
first pages, and a run past its time is killed with every process it started."""

from __future__ import annotations

import io
import os
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from vanthu.documents import actions
from vanthu.documents.models import DocumentFile, FileRole, StoredFile
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.pdfgen import FONT_CANDIDATES
from vanthu.documents.storage import store_pdf
from vanthu.search import indexing, ocr
from vanthu.search.models import FileOcr, OcrStatus
from vanthu.search.tests.test_ocr import scanned_pdf
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.testing import factories as f

from .conftest import ids


def scan(lines_per_page: list[list[str]]) -> bytes:
    """An image-only PDF, one 150 dpi page per list of lines."""
    font = ImageFont.truetype(next(p for p in FONT_CANDIDATES if os.path.exists(p)), 40)
    images = []
    for lines in lines_per_page:
        img = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines):
            draw.text((120, 160 + 80 * i), line, font=font, fill=0)
        images.append(img)
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=150.0, save_all=True, append_images=images[1:])
    return buf.getvalue()


def test_a_signed_and_a_sealed_copy_of_a_scan_are_not_ocred_again(world, api_as, django_capture_on_commit_callbacks):
    assert ocr.available(), "ocrmypdf and tesseract-ocr-vie must be installed (.ci/run installs them)"
    ensure_demo_ca()  # the leader signs on approval, the organisation seals on issue
    a = world.a
    with django_capture_on_commit_callbacks(execute=True):
        doc = actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject="Về việc phòng chống thiên tai",
                                   recipient_ids=[world.b.org.id], main_file=f.upload("scan.pdf", scanned_pdf()))
        actions.submit_document(doc, user=a.specialist)
        actions.approve_document(doc, user=a.leader)
        doc = actions.issue_document(doc, user=a.clerk)
    main = DocumentFile.objects.get(document=doc, role=FileRole.MAIN)
    signed = DocumentFile.objects.filter(document=doc, role=FileRole.SIGNED)
    assert signed.count() == 2  # the leader's signature, then the seal: each a new file, same words
    assert list(FileOcr.objects.values_list("file_id", "status")) == [(main.file_id, OcrStatus.DONE)]
    # The original's text finds the document, whichever of its files counts.
    assert ids(api_as(world.b.clerk).get("/api/v1/search", q="phong chong thien tai")) == [doc.id]


def test_a_new_scan_with_the_signed_role_is_still_recognised(world):
    """An update from a peer (or the issuer's replacement) carries the signed role, but it is a
    new file, not a signature appended to one the document has."""
    doc = f.draft(world.a.org, world.a.specialist, [world.b.org])
    update = scan([["Văn bản cập nhật"]])
    stored = store_pdf(update, inspect_pdf(update))
    DocumentFile.objects.create(document=doc, file=stored, role=FileRole.SIGNED, name="capnhat.pdf", position=200)
    assert indexing.files_needing_ocr(doc.id) == [stored.sha256]


def test_a_file_that_is_not_a_pdf_is_never_sent_to_ocr(world):
    """A Word file migrated from Lotus Notes has no text layer and no pages: not a scan."""
    doc = f.draft(world.a.org, world.a.specialist, [world.b.org])
    word = StoredFile.objects.create(sha256="ab" * 32, size=908, content_type="application/msword")
    DocumentFile.objects.create(document=doc, file=word, role=FileRole.ATTACHMENT, name="TB-02-2014.doc", position=300)
    assert word.sha256 not in indexing.files_needing_ocr(doc.id)


def test_only_the_first_pages_are_recognised(settings, tmp_path):
    settings.VANTHU_OCR_MAX_PAGES = 1
    path = tmp_path / "hai-trang.pdf"
    path.write_bytes(scan([["THÔNG BÁO", "phòng chống thiên tai"], ["BIÊN BẢN", "kiểm tra kho lưu trữ"]]))
    text = ocr.ocr_pdf_file(path).lower()
    assert "thiên tai" in text and "lưu trữ" not in text
    assert len(PdfReader(path).pages) == 2  # the stored file itself is untouched


def _processes_marked(mark: str) -> list[int]:
    """Live processes (not ours) whose environment carries `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes() and (entry / "stat").read_text().split(") ")[1][0] != "Z":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_run_past_its_time_is_killed_with_the_processes_it_started(settings, tmp_path, monkeypatch):
    # Two seconds against 24 scanned pages: many times what OCR can do in that time on any machine.
    settings.VANTHU_OCR_TIMEOUT = 2
    path = tmp_path / "dai.pdf"
    writer = PdfWriter()
    for _ in range(24):
        writer.append(PdfReader(io.BytesIO(scanned_pdf())))
    with path.open("wb") as fh:
        writer.write(fh)
    mark = f"vanthu-ocr-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("VANTHU_TEST_MARK", mark)  # inherited by OCRmyPDF and every Tesseract it runs
    started = time.monotonic()
    with pytest.raises(ocr.OcrError, match="timed out after 2 s"):
        ocr.ocr_pdf_file(path)
    assert time.monotonic() - started < 60
    time.sleep(1)
    assert _processes_marked(mark) == []
