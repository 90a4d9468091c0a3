"""PDF/A copies with a text layer of scanned (unsigned) PDFs, made with OCRmyPDF.

The stored original is never changed, and a signed PDF never gets a copy (converting it would
break its signatures; its evidence is what keeps it readable and verifiable). Bounded like the
search app's OCR: a timeout kills the run with every process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vanthu.documents.models import StoredFile
from vanthu.documents.pdf import PdfInfo
from vanthu.documents.storage import path_for, store_pdf

from .evidence import is_signed
from .models import PdfaCopy


def available() -> bool:
    return bool(shutil.which("ocrmypdf") and shutil.which("tesseract"))


def convert(source: Path, target: Path) -> None:
    cmd = ["ocrmypdf", "-l", settings.VANTHU_OCR_LANGUAGES, "--skip-text", "--output-type", "pdfa", "--optimize", "0",
           "--jobs", "1", "--quiet", str(source), str(target)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=settings.VANTHU_OCR_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError("PDF/A conversion timed out") from None
    if proc.returncode not in (0, 6):  # 6: the file already had text (--skip-text): still converted
        raise RuntimeError(f"ocrmypdf failed ({proc.returncode}): {err[-500:]}")


def ensure_pdfa(sha256: str) -> PdfaCopy | None:
    """The PDF/A copy of an unsigned stored PDF (made once); None for a signed one or without OCRmyPDF."""
    found = PdfaCopy.objects.filter(source_id=sha256).first()
    if found is not None or not available():
        return found
    src = path_for(sha256)
    if is_signed(src.read_bytes()):
        return None
    with tempfile.TemporaryDirectory(prefix="vanthu-pdfa-") as tmp:
        out = Path(tmp) / "pdfa.pdf"
        convert(src, out)
        data = out.read_bytes()
    source = StoredFile.objects.get(sha256=sha256)
    with transaction.atomic():
        copy, _created = PdfaCopy.objects.get_or_create(source=source, defaults={
            "pdfa": store_pdf(data, PdfInfo(page_count=source.page_count, text=""))})
    return copy
