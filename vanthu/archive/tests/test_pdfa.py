"""A scan filed in a case file gets a PDF/A copy with a text layer (OCRmyPDF); the scan itself and
any signed PDF are never changed."""

from __future__ import annotations

import pytest

from vanthu.archive import actions, pdfa
from vanthu.archive.models import PdfaCopy
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.storage import read_blob, store_pdf
from vanthu.signatures import ca
from vanthu.signatures.tests import pki
from vanthu.testing import factories as f

pytestmark = pytest.mark.skipif(not pdfa.available(), reason="OCRmyPDF and Tesseract are not installed (Debian: ocrmypdf)")


def test_an_uploaded_scan_gets_a_pdfa_copy_and_stays_as_it_was(world):
    a = world.a
    fl = actions.create_file_list(user=a.clerk, organization=a.org, year=2026)
    cf = actions.open_case_file(actions.add_entry(fl, user=a.clerk, code="09.01", title="Hồ sơ tài liệu giấy", retention="10",
                                                  responsible_id=a.specialist.id), user=a.specialist)
    scan = f.pdf_bytes("Biên bản bàn giao tài liệu giấy")
    with f.background_done():
        item = actions.add_record(cf, user=a.specialist, name="scan.pdf", data=scan, title="Biên bản bàn giao")
    copy = PdfaCopy.objects.get(source_id=item.record_id)
    made = read_blob(copy.pdfa_id)
    assert b"pdfaid" in made  # the PDF/A identification in its XMP metadata
    assert read_blob(item.record_id) == scan


def test_a_signed_pdf_gets_no_copy(db):
    root = ca.make_root("Gốc kiểm tra PDF/A", kind="ec")
    signed = pki.signed_pdf(root)
    stored = store_pdf(signed, inspect_pdf(signed))
    assert pdfa.ensure_pdfa(stored.sha256) is None
    assert not PdfaCopy.objects.exists()
