"""OCR of scanned PDFs with OCRmyPDF and Tesseract's Vietnamese model (`-l vie`).

Works on a temporary copy: the stored original (and any signature in it) is never touched; only
the recognised text is kept, in `FileOcr.text`. Needs Debian's `ocrmypdf`, `tesseract-ocr` and
`tesseract-ocr-vie` (installed by `.ci/run`).

Bounded: only the first VANTHU_OCR_MAX_PAGES pages are recognised (a copy of those pages is what
OCRmyPDF sees, so a long scan costs no more than a short one), and a run is killed, with every
process it started, after VANTHU_OCR_TIMEOUT seconds. It runs on the worker's "slow" queue
(search.tasks.ocr_file), outside any transaction.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from vanthu.documents.storage import local_copy


class OcrError(RuntimeError):
    pass


def available() -> bool:
    return bool(shutil.which("ocrmypdf") and shutil.which("tesseract"))


def ocr_pdf_text(sha256: str) -> str:
    with local_copy(sha256) as path:  # S3: a temporary copy, since OCRmyPDF reads a file
        return ocr_pdf_file(path)


def _first_pages(source: Path, target: Path, limit: int) -> None:
    """A copy of `source` with at most `limit` pages (the file itself when it is short enough)."""
    try:
        reader = PdfReader(source, strict=False)
        if len(reader.pages) <= limit:
            shutil.copyfile(source, target)
            return
        writer = PdfWriter()
        for page in reader.pages[:limit]:
            writer.add_page(page)
        with target.open("wb") as fh:
            writer.write(fh)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise OcrError(f"cannot take the first {limit} pages: {type(exc).__name__}: {exc}") from exc


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    # Its own session, so that a timeout kills OCRmyPDF's Tesseract processes too, not only it.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise OcrError(f"OCR timed out after {timeout:g} s") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def ocr_pdf_file(source: Path) -> str:
    if not available():
        raise OcrError("ocrmypdf/tesseract are not installed")
    with tempfile.TemporaryDirectory(prefix="vanthu-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        _first_pages(source, src, settings.VANTHU_OCR_MAX_PAGES)
        sidecar = Path(tmp) / "text.txt"
        cmd = [
            "ocrmypdf", "-l", settings.VANTHU_OCR_LANGUAGES, "--skip-text", "--output-type", "pdf", "--optimize", "0",
            "--jobs", "1", "--quiet", "--sidecar", str(sidecar), str(src), str(Path(tmp) / "out.pdf"),
        ]
        proc = _run(cmd, settings.VANTHU_OCR_TIMEOUT)
        if proc.returncode != 0:
            raise OcrError(f"ocrmypdf exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    # ocrmypdf writes a marker for pages it skipped because they had text already.
    lines = [ln for ln in text.splitlines() if not ln.startswith("[OCR skipped on page")]
    return "\n".join(lines).replace("\f", "\n").strip()
