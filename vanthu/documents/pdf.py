"""Reading uploaded PDFs for real: is it a PDF, can it be opened, how many pages, what text.

Also refuses a PDF whose first two pages' text carries a classification stamp (MẬT, TỐI MẬT,
TUYỆT MẬT: classification.find_stamp). A scan without a text layer shows no text to check.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

from vanthu.errors import BadInput, Classified, TooLarge, Unprocessable, UnsupportedFile

from .classification import CLASSIFIED_MESSAGE, find_stamp

logging.getLogger("pypdf").setLevel(logging.ERROR)

# The stamp is on the first page; the second is read too, for a cover sheet or a transmittal slip
# put in front of the document.
STAMP_PAGES = 2


@dataclass(frozen=True)
class PdfInfo:
    page_count: int
    text: str


def _page_count(reader: PdfReader, label: str) -> int:
    """The number of pages, refused past VANTHU_MAX_PDF_PAGES before any page is read: pypdf
    lists the pages by walking the page tree (51 s for 100,000 pages), so the walk is stopped
    after as many entries as the cap allows, whatever /Count claims."""
    cap = settings.VANTHU_MAX_PDF_PAGES
    try:
        # Entries are the tree's nodes and its pages: a tree of n pages has fewer than 2n + depth.
        with apply_configuration(page_tree_maximum_entries=2 * cap + 100):
            count = len(reader.pages)
    except LimitReachedError as exc:
        if "depth" in str(exc):
            raise
        count = cap + 1
    if count > cap:
        raise TooLarge(_("%(name)s có hơn %(max)s trang: quá dài để đưa vào hệ thống một lần. Hãy tách thành nhiều tệp.")
                       % {"name": label, "max": cap}, code="too_many_pages", details={"max_pages": cap})
    return count


def inspect_pdf(data: bytes, name: str = "") -> PdfInfo:
    """Parse a PDF; raise a clear error for anything a clerk should not be able to upload."""
    label = name or _("Tệp")
    if not data:
        raise BadInput(_("%(name)s rỗng (0 byte).") % {"name": label}, code="empty_file")
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("%(name)s vượt quá giới hạn %(mb)s MB.") % {"name": label, "mb": settings.MAX_UPLOAD_MB})
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise UnsupportedFile(_("%(name)s không phải là tệp PDF. Chỉ chấp nhận văn bản định dạng PDF.") % {"name": label}, code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Unprocessable(_("%(name)s đã được đặt mật khẩu. Hãy gỡ mật khẩu trước khi tải lên.") % {"name": label}, code="encrypted_pdf")
        pages = reader.pages
        page_count = _page_count(reader, label)
        if page_count == 0:
            raise PdfReadError("no pages")
        texts = []
        for page in pages:
            try:
                texts.append(page.extract_text() or "")
            except Exception:  # text extraction is best effort; a page without text is fine
                texts.append("")
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise Unprocessable(_("%(name)s bị hỏng hoặc không đọc được, hãy xuất lại tệp PDF.") % {"name": label}, code="corrupt_pdf", details={"reason": type(exc).__name__}) from exc
    marking = find_stamp("\n".join(texts[:STAMP_PAGES]))
    if marking:
        raise Classified(_(CLASSIFIED_MESSAGE), details={"marking": marking, "file": name})
    return PdfInfo(page_count=page_count, text="\n".join(texts))
