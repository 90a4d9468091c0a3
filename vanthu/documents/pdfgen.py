"""Making real PDFs with Vietnamese text (demo data, tests, benchmarks).

Needs a TrueType font with Vietnamese glyphs: DejaVu Sans (Debian `fonts-dejavu-core`) or the
file named by VANTHU_FONT_PATH.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
]


@lru_cache(maxsize=1)
def font_path() -> str:
    """The font file: VANTHU_FONT_PATH, else the first DejaVu Sans found (once per process)."""
    for path in [settings.VANTHU_FONT_PATH, *FONT_CANDIDATES]:
        if path and Path(path).is_file():
            return path
    raise RuntimeError(
        "No TrueType font with Vietnamese glyphs found: install Debian's fonts-dejavu-core "
        "or set VANTHU_FONT_PATH to a .ttf file."
    )


@lru_cache(maxsize=1)
def font_name() -> str:
    pdfmetrics.registerFont(TTFont("VanThuSans", font_path()))
    return "VanThuSans"


def make_pdf(pages: list[list[str]] | list[str], *, title: str = "") -> bytes:
    """A PDF with one page per list of lines (a flat list of lines makes one page)."""
    if pages and isinstance(pages[0], str):
        pages = [pages]  # type: ignore[list-item]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    if title:
        c.setTitle(title)
    font = font_name()
    width, height = A4
    for lines in pages or [[""]]:
        y = height - 60
        for line in lines:
            c.setFont(font, 12)
            c.drawString(60, y, line)
            y -= 18
            if y < 60:
                break
        c.showPage()
    c.save()
    return buf.getvalue()
