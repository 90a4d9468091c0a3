"""OCR of scanned PDFs with OCRmyPDF and Tesseract's Vietnamese model (`-l vie`).

Works on a temporary copy: the stored original (and any signature in it) is never touched; only
the recognised text is kept, in `FileOcr.text`. Needs Debian's `ocrmypdf`, `tesseract-ocr` and
`tesseract-ocr-vie` (installed by `.ci/run`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from vanthu.documents.storage import path_for


class OcrError(RuntimeError):
    pass


def available() -> bool:
    return bool(shutil.which("ocrmypdf") and shutil.which("tesseract"))


def ocr_pdf_text(sha256: str) -> str:
    return ocr_pdf_file(path_for(sha256))


def ocr_pdf_file(source: Path) -> str:
    if not available():
        raise OcrError("ocrmypdf/tesseract are not installed")
    with tempfile.TemporaryDirectory(prefix="vanthu-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        shutil.copyfile(source, src)
        sidecar = Path(tmp) / "text.txt"
        timeout = settings.VANTHU_OCR_TIMEOUT
        cmd = [
            "ocrmypdf", "-l", settings.VANTHU_OCR_LANGUAGES, "--skip-text", "--output-type", "pdf", "--optimize", "0",
            "--jobs", "1", "--quiet", "--sidecar", str(sidecar), str(src), str(Path(tmp) / "out.pdf"),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OcrError(f"OCR timed out after {timeout} s") from exc
        if proc.returncode != 0:
            raise OcrError(f"ocrmypdf exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    # ocrmypdf writes a marker for pages it skipped because they had text already.
    lines = [ln for ln in text.splitlines() if not ln.startswith("[OCR skipped on page")]
    return "\n".join(lines).replace("\f", "\n").strip()
